package dev.devemu.kunit;

import dev.devemu.kernel.ErrorPaths;
import dev.devemu.kernel.Oops;
import dev.devemu.replay.Sessions;
import dev.devemu.replay.StrategySpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Runner;
import dev.devemu.userspace.UserProgram;
import java.util.ArrayList;
import java.util.List;

/**
 * One testbed of a case: mock devices, the suite's driver in the case's variant, user processes and a fault plan,
 * run under the case's seed and strategy by {@link #run()}. Defaults: 2 CPUs, 10 ms, lookahead 20 us,
 * panic-on-oops off (every report is collected, and each fails the case; the run goes on, so the case still sees
 * what the driver returned).
 */
public final class MockBed {
  private final Kunit test;
  private final String driver;
  private final int index;
  private final List<Mock> devices = new ArrayList<>();
  private final List<String> events = new ArrayList<>();
  private final List<String> probabilities = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final List<String> workloads = new ArrayList<>();
  private String duration = "10ms";
  private int cpus = 2;
  private String lookahead = "20us";
  private String kernelKeys = "";
  private boolean loadDriver = true;
  private final List<String> newIds = new ArrayList<>();

  private record Process(String comm, UserProgram program, long startNanos) {}

  MockBed(Kunit test, String driver, int index) {
    this.test = test;
    this.driver = driver;
    this.index = index;
  }

  public MockBed device(Mock mock) {
    devices.add(mock);
    return this;
  }

  /** Virtual time the testbed runs for ({@code "10ms"}, {@code "6s"}). */
  public MockBed duration(String duration) {
    this.duration = duration;
    return this;
  }

  public MockBed cpus(int cpus) {
    this.cpus = cpus;
    return this;
  }

  public MockBed lookahead(String lookahead) {
    this.lookahead = lookahead;
    return this;
  }

  /** Keys of the scenario's {@code kernel} block ({@code "hung-task-timeout = 1s"}). */
  public MockBed kernel(String keys) {
    this.kernelKeys = keys;
    return this;
  }

  /** Makes a fault point fail with {@code probability} ({@code fail("request_irq", 1.0)}); see docs/scenarios.md. */
  public MockBed fail(String point, double probability) {
    probabilities.add(point + " = " + probability);
    return this;
  }

  /** A device event at a virtual time: {@code event("5ms", "unplug", mock.slot())}, or with more keys. */
  public MockBed event(String at, String action, String slot, String... moreKeys) {
    StringBuilder e = new StringBuilder("{ at = " + at + ", action = " + action + ", slot = \"" + slot + "\"");
    for (String k : moreKeys) e.append(", ").append(k);
    events.add(e.append(" }").toString());
    return this;
  }

  /** Makes fault point {@code point} fire once at a virtual time ({@code failAt("1ms", "usb_stall")}). */
  public MockBed failAt(String at, String point) {
    events.add("{ at = " + at + ", action = fail, point = " + point + " }");
    return this;
  }

  /** A user process running {@code program} from {@code startNanos} of virtual time. */
  public MockBed process(String comm, UserProgram program, long startNanos) {
    processes.add(new Process(comm, program, startNanos));
    return this;
  }

  /** A scenario workload entry ({@code "{ kind = process, device = \"/dev/my_char\", … }"}). */
  public MockBed workload(String entry) {
    workloads.add(entry);
    return this;
  }

  /**
   * Adds a dynamic ID to the driver, as {@code echo "8086 1234" > /sys/bus/pci/drivers/my_pcie/new_id} does (USB:
   * vendor and product): the driver then binds a mock device with those IDs although its ID table does not list
   * them ({@code Mock.pci().ids(0x8086, 0x1234)}). Without it, a testbed in which the driver matches no device is
   * not built (the case fails, naming the devices' modaliases).
   */
  public MockBed newId(int vendor, int device) {
    newIds.add(String.format("\"%04x:%04x\"", vendor, device));
    return this;
  }

  /** Leaves the driver out: the devices alone (to test the mock). */
  public MockBed withoutDriver() {
    loadDriver = false;
    return this;
  }

  /** The scenario text this testbed is (without its user processes, which are Java objects). */
  public String scenarioText() {
    StringBuilder s = new StringBuilder();
    s.append("scenario { name = \"kunit-").append(test.suite()).append('-').append(test.name())
        .append("\", duration = ").append(duration).append(" }\n");
    // the run goes on after a report (as a KUnit run does after KASAN): the case sees what the driver returned
    s.append("kernel { panic-on-oops = false, ").append(kernelKeys).append(" }\n");
    s.append("machine { cpus = ").append(cpus).append(", lookahead = ").append(lookahead).append(" }\n");
    s.append("devices = [ ").append(String.join(", ", devices.stream().map(Mock::entry).toList())).append(" ]\n");
    s.append("drivers = [ ");
    if (loadDriver) {
      s.append("{ name = ").append(driver).append(", variant = ").append(test.variant());
      if (!newIds.isEmpty()) s.append(", new-id = [").append(String.join(", ", newIds)).append("]");
      s.append(" }");
    }
    s.append(" ]\n");
    s.append("faults { probability { ").append(String.join(", ", probabilities)).append(" }, events = [ ")
        .append(String.join(", ", events)).append(" ] }\n");
    if (!workloads.isEmpty()) s.append("workload = [ ").append(String.join(", ", workloads)).append(" ]\n");
    return s.toString();
  }

  /**
   * Runs the testbed. A detector report fails the case (with the report); a testbed that cannot be built fails it
   * and ends it.
   */
  public BedRun run() {
    Scenario scenario;
    String text = scenarioText();
    try {
      scenario = withProcesses(ScenarioLoader.parse("kunit:" + test.suite() + "." + test.name(), text));
    } catch (ScenarioException e) {
      test.error("testbed " + index + " cannot be built: " + e.getMessage());
      throw new KunitAbort();
    }
    StrategySpec spec = test.strategy();
    if (!spec.resolved()) spec = Sessions.resolve(test.host(), spec, scenario, test.seed());
    ErrorPaths coverage = test.coverage();
    Runner.Options options = Runner.Options.defaults().withStrategy(spec.create()).withTrace(Runner.TraceMode.NONE)
        .withErrorPaths(coverage);
    RunResult r = Runner.run(test.host(), 0, scenario, test.seed(), options).result();
    for (Oops o : r.oopses()) {
      test.report(o, "in testbed " + index + " (seed " + test.seed() + ", strategy " + spec + ")");
    }
    return new BedRun(r, driver);
  }

  private Scenario withProcesses(Scenario s) {
    if (processes.isEmpty()) return s;
    List<WorkloadSpec> work = new ArrayList<>(s.workload());
    for (Process p : processes) {
      work.add(new WorkloadSpec() {
        @Override
        public String kind() {
          return "kunit-program";
        }

        @Override
        public void install(TestbedBuilder testbed) {
          testbed.spawnProcess(p.comm(), p.program(), p.startNanos());
        }
      });
    }
    return new Scenario(s.file(), s.name(), s.description(), s.durationNanos(), s.machine(), s.kernel(), s.devices(),
        s.drivers(), s.faults(), List.copyOf(work), s.source());
  }
}
