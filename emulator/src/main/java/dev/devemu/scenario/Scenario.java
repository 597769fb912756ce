package dev.devemu.scenario;

import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.KernelConfig;
import dev.devemu.kernel.Variant;
import java.util.List;

/**
 * A validated scenario: the machine, its devices and drivers, the fault plan and the simulated duration.
 *
 * @param file the file it came from, for messages
 * @param source the file's text, kept so that a trace or report can replay it anywhere
 */
public record Scenario(String file, String name, String description, long durationNanos, Machine machine,
    KernelConfig kernel, List<DeviceSpec> devices, List<DriverSpec> drivers, FaultPlan faults,
    List<WorkloadSpec> workload, String source) {

  /**
   * @param cpus number of emulated CPUs
   * @param iommu whether DMA goes through an IOMMU (faults are blocked) or the direct map (KASAN sees corruption)
   * @param affinity how interrupt vectors are spread over CPUs
   * @param lookaheadNanos how far ahead a timer may fire while CPUs still have work (see {@code SimRun})
   * @param hotplugDetectionNanos delay between a surprise removal and pciehp noticing it
   * @param fairnessNanos the fairness bound: a runnable message is delivered before virtual time moves this far
   *     past the moment it became runnable, under every strategy (see {@code SimRun})
   */
  public record Machine(int cpus, boolean iommu, Irqs.Affinity affinity, long lookaheadNanos,
      long hotplugDetectionNanos, long fairnessNanos) {
    public Machine(int cpus, boolean iommu, Irqs.Affinity affinity, long lookaheadNanos, long hotplugDetectionNanos) {
      this(cpus, iommu, affinity, lookaheadNanos, hotplugDetectionNanos, dev.devemu.sim.SimRun.DEFAULT_FAIRNESS_NANOS);
    }
  }

  /**
   * A driver to load, its flavour, and the dynamic IDs written to its {@code new_id} ({vendor, device} pairs; empty
   * for most scenarios).
   */
  public record DriverSpec(String name, Variant variant, int line, List<int[]> newIds) {
    public DriverSpec(String name, Variant variant, int line) {
      this(name, variant, line, List.of());
    }

    public DriverSpec withVariant(Variant v) {
      return new DriverSpec(name, v, line, newIds);
    }

    /** The driver as its bus registers it, with its dynamic IDs. */
    public dev.devemu.kernel.driver.DriverEntry<?, ?> entry() {
      dev.devemu.kernel.driver.DriverEntry<?, ?> e = Catalog.driver(name).entry(variant);
      return newIds.isEmpty() ? e : e.withNewIds(newIds);
    }
  }

  /** The same scenario with every driver's variant replaced ({@code --variant}). */
  public Scenario withVariant(Variant variant) {
    if (variant == null) return this;
    return new Scenario(file, name, description, durationNanos, machine, kernel,
        devices, drivers.stream().map(d -> d.withVariant(variant)).toList(), faults, workload, source);
  }

  /** The same scenario with a different simulated duration. */
  public Scenario withDuration(long nanos) {
    return new Scenario(file, name, description, nanos, machine, kernel, devices, drivers, faults, workload, source);
  }

  /** Variants of the drivers, in order, without duplicates. */
  public List<Variant> variants() {
    return drivers.stream().map(DriverSpec::variant).distinct().toList();
  }

  /** The variants as runs and reports name them: {@code raw}, {@code safe}, {@code raw+safe}. */
  public String variantText() {
    return String.join("+", variants().stream().map(Variant::toString).toList());
  }
}
