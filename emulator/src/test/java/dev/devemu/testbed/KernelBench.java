package dev.devemu.testbed;

import dev.devemu.driver.api.pci.PciBindings;
import dev.devemu.driver.api.pci.RawPciDriver;
import dev.devemu.hw.device.pcie.SamplePcieDevice;
import dev.devemu.hw.machine.Cpu;
import dev.devemu.hw.pci.PciDeviceActor;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Variant;
import dev.devemu.plugin.pci.PciBus;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.sim.Cause;
import dev.devemu.spec.DmaDirection;
import dev.devemu.spec.pci.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A test bench for detectors, in the spirit of tigerbeetle's {@code replica_test.zig}: a few lines describe a
 * machine and the kernel code to run on it, {@link #run} returns what the detectors said.
 *
 * <pre>{@code
 * Findings f = KernelBench.cpus(2)
 *     .tasks(w -> List.of(w.task("a", 0, lockAB), w.task("b", 1, lockBA)))
 *     .seeds(sim, 1, 10);
 * assertTrue(f.fired("lockdep"));
 * }</pre>
 *
 * Task programs are built per run by a function of the {@link World}, so locks and structs never leak from one
 * run into the next. Tasks run as code of the test driver {@link #OWNER}, so reports blame it.
 */
public final class KernelBench {
  /** Whose code the bench's tasks run. */
  public static final Owner OWNER = new Owner("benchdrv", Variant.RAW, "bench");

  private final int cpus;
  private String duration = "1s";
  private String lookahead = "20us";
  private final List<String> kernel = new ArrayList<>();
  private final List<String> devices = new ArrayList<>();
  private final List<String> faults = new ArrayList<>();
  private final List<RawPciDriver> pciDrivers = new ArrayList<>();
  private Function<World, List<TaskSpec>> tasks = w -> List.of();
  private boolean dmaDevice;

  private KernelBench(int cpus) {
    this.cpus = cpus;
  }

  public static KernelBench cpus(int n) {
    return new KernelBench(n);
  }

  public KernelBench duration(String hocon) {
    duration = hocon;
    return this;
  }

  public KernelBench lookahead(String hocon) {
    lookahead = hocon;
    return this;
  }

  /** A line of the scenario's {@code kernel} block, e.g. {@code hung-task-timeout = 2s}. */
  public KernelBench kernel(String line) {
    kernel.add(line);
    return this;
  }

  /** A device object of the scenario's {@code devices} list. */
  public KernelBench device(String hoconObject) {
    devices.add(hoconObject);
    return this;
  }

  /** A line of the scenario's {@code faults} block. */
  public KernelBench faults(String line) {
    faults.add(line);
    return this;
  }

  /** A raw PCI driver written for the test, loaded like a sample driver. */
  public KernelBench pciDriver(RawPciDriver driver) {
    pciDrivers.add(driver);
    return this;
  }

  /** Adds an unbound PCI device at {@link World#DMA_SLOT} whose DMA engine tasks can drive ({@link World#dma}). */
  public KernelBench dmaDevice() {
    dmaDevice = true;
    return this;
  }

  /** The kernel tasks to start at boot, built afresh for each run. */
  public KernelBench tasks(Function<World, List<TaskSpec>> tasks) {
    this.tasks = tasks;
    return this;
  }

  /** One process-context task: its name, CPU and program. */
  public record TaskSpec(String comm, int cpu, Op<?> program) {}

  /** The running machine, as task programs see it. */
  public static final class World {
    public static final String DMA_SLOT = "0000:00:1f.0";
    private final Kernel kernel;
    private final ActorRef<dev.devemu.hw.pci.HostBridgeActor.Command> hostBridge;
    private final ActorRef<PciDeviceActor.Command> dmaDevice;

    World(Kernel kernel, ActorRef<dev.devemu.hw.pci.HostBridgeActor.Command> hostBridge,
        ActorRef<PciDeviceActor.Command> dmaDevice) {
      this.kernel = kernel;
      this.hostBridge = hostBridge;
      this.dmaDevice = dmaDevice;
    }

    public Kernel kernel() {
      return kernel;
    }

    public TaskSpec task(String comm, int cpu, Op<?> program) {
      return new TaskSpec(comm, cpu, program);
    }

    /** Allocates an interrupt (vector on some CPU) for a bench handler. */
    public int allocateIrq(String name) {
      return kernel.irqs().allocate(name);
    }

    /** A step that makes interrupt {@code irq} arrive at its CPU, as an MSI would. */
    public Op<Void> raise(int irq) {
      return Op.step("raise irq", x -> {
        x.kernel().cpu(x.kernel().irqs().targetCpu(irq)).tell(new dev.devemu.hw.machine.Cpu.IrqRaised(
            x.kernel().irqs().msiData(irq), x.cause("MSI for irq " + irq)));
        return null;
      });
    }

    /**
     * The bench device writes {@code length} bytes to {@code busAddress} (a step of the calling task starts it;
     * the host bridge performs it later, where KASAN checks it).
     */
    public Op<Void> dma(long busAddress, int length) {
      return dma(busAddress, length, 1);
    }

    /** Like {@link #dma(long, int)}, with the transfer's tag (a per-transfer number, as the device model uses). */
    public Op<Void> dma(long busAddress, int length, long tag) {
      if (dmaDevice == null) throw new IllegalStateException("call dmaDevice() on the bench first");
      return Op.step("start device DMA", x -> {
        hostBridge.tell(new dev.devemu.hw.pci.HostBridgeActor.DmaTransfer(DMA_SLOT, busAddress, length,
            dev.devemu.spec.DmaDirection.FROM_DEVICE, tag, dmaDevice, x.cause("DMA " + length + " bytes")));
        return null;
      });
    }
  }

  /** The scenario this bench describes, with the tasks and test drivers wired in. */
  public Scenario scenario() {
    String text = "scenario { name = \"bench\", duration = " + duration + " }\n"
        + "machine { cpus = " + cpus + ", lookahead = " + lookahead + " }\n"
        + "kernel { " + String.join("\n", kernel) + " }\n"
        + "devices = [ " + String.join(", ", devices) + " ]\n"
        + "faults { " + String.join("\n", faults) + " }\n";
    Scenario s = Sim.scenario(text);
    List<WorkloadSpec> workload = new ArrayList<>(s.workload());
    workload.add(new WorkloadSpec() {
      @Override
      public String kind() {
        return "bench";
      }

      @Override
      public void install(TestbedBuilder b) {
        for (RawPciDriver d : pciDrivers) b.bus(PciBus.class).addDriver(PciBindings.raw(d));
        ActorRef<PciDeviceActor.Command> dma = dmaDevice
            ? b.bus(PciBus.class).addDevice(PciAddress.parse(World.DMA_SLOT), new SamplePcieDevice(2, 1), true) : null;
        b.onStart(started -> {
          World w = new World(started.kernel(), b.hostBridge(), dma);
          for (TaskSpec t : tasks.apply(w)) {
            started.kernel().spawn(t.cpu(), t.comm(), OWNER, Cause.root("bench", 0, "start " + t.comm()),
                t.program(), null);
          }
        });
      }
    });
    return new Scenario(s.file(), s.name(), s.description(), s.durationNanos(), s.machine(), s.kernel(), s.devices(),
        s.drivers(), s.faults(), List.copyOf(workload), s.source());
  }

  /** One run under {@code seed}. */
  public Findings run(Sim sim, long seed) {
    return new Findings(List.of(sim.run(scenario(), seed).result()));
  }

  /** Runs seeds {@code first .. first + count - 1}. */
  public Findings seeds(Sim sim, long first, int count) {
    Scenario s = scenario();
    List<RunResult> runs = new ArrayList<>();
    for (int i = 0; i < count; i++) runs.add(sim.run(s, first + i).result());
    return new Findings(runs);
  }

  /** What the detectors said over one or more runs. */
  public record Findings(List<RunResult> runs) {
    public List<Oops> oopses() {
      return runs.stream().flatMap(r -> r.oopses().stream()).toList();
    }

    public boolean fired(String detector) {
      return oopses().stream().anyMatch(o -> o.detector().equals(detector));
    }

    /** The first report of that detector; fails the test if there is none. */
    public Oops first(String detector) {
      return oopses().stream().filter(o -> o.detector().equals(detector)).findFirst()
          .orElseThrow(() -> new AssertionError("no " + detector + " report; got " + this));
    }

    public boolean quiet() {
      return oopses().isEmpty();
    }

    /** How many runs reported that detector. */
    public long runsThatFired(String detector) {
      return runs.stream().filter(r -> r.oopses().stream().anyMatch(o -> o.detector().equals(detector))).count();
    }

    @Override
    public String toString() {
      return oopses().isEmpty() ? "no reports" : oopses().stream().map(Oops::format).collect(Collectors.joining("\n"));
    }
  }

  /** Runs {@code body} as many times as {@code n} says, one kernel call per round. */
  public static Op<Void> repeat(int n, Supplier<Op<?>> body) {
    int[] left = {n};
    return Op.whileLoop(() -> left[0]-- > 0, body);
  }
}
