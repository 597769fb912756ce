package dev.devemu.bench;

import dev.devemu.hw.device.pcie.SamplePcieDevice;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.KernelConfig;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.BindableDevice;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.plugin.pci.PciBus;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.FaultPlan;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.spec.pci.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Testbeds built in code for benchmarks: many sample PCIe devices with my_pcie bound to each. */
final class BenchTopology {
  private BenchTopology() {}

  /** The n-th PCI address of a large machine: 8192 functions per PCI domain. */
  static PciAddress address(int n) {
    return new PciAddress(n >>> 13, (n >>> 5) & 0xff, n & 0x1f, 0);
  }

  /**
   * A machine with {@code devices} sample devices.
   *
   * @param rate interrupts per second per device; 0 = closed loop (next sample when the previous is acknowledged)
   * @param budget samples per device in closed loop (0 = unlimited)
   * @param onBudget called once per device whose budget is spent
   * @param atStart things to do once the testbed is built (e.g. a measurement timer)
   */
  static Scenario scenario(String name, int cpus, int devices, double rate, long budget, Runnable onBudget,
      Variant variant, long durationNanos, Consumer<TestbedBuilder> atStart) {
    List<DeviceSpec> specs = new ArrayList<>(devices);
    for (int i = 0; i < devices; i++) {
      PciAddress address = address(i);
      specs.add(new DeviceSpec.Placed("sample-pcie", address.toString(), 0) {
        @Override
        public List<BindableDevice> enumerated() {
          return List.of(PciFunction.ofConfig(address, new SamplePcieDevice(2, rate).config().snapshot()));
        }

        @Override
        public void install(TestbedBuilder testbed) {
          testbed.bus(PciBus.class).addDevice(address, new SamplePcieDevice(2, rate, budget, onBudget), true);
        }
      });
    }
    List<WorkloadSpec> workload = atStart == null ? List.of() : List.of(new WorkloadSpec() {
      @Override
      public String kind() {
        return "bench-hook";
      }

      @Override
      public void install(TestbedBuilder testbed) {
        atStart.accept(testbed);
      }
    });
    KernelConfig kernel = new KernelConfig(true, KernelConfig.DEFAULT.hungTaskTimeoutNanos(),
        KernelConfig.DEFAULT.softLockupNanos(), KernelConfig.DEFAULT.kcsanWindowChoices());
    return new Scenario("<bench>", name, "benchmark topology", durationNanos,
        new Scenario.Machine(cpus, false, Irqs.Affinity.ROUND_ROBIN, 20_000, 1_000_000), kernel, specs,
        List.of(new Scenario.DriverSpec("my_pcie", variant, 0)), FaultPlan.NONE, workload, "");
  }
}
