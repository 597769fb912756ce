package dev.devemu.testbed;

import dev.devemu.hw.BusEvents;
import dev.devemu.hw.machine.Host;
import dev.devemu.hw.machine.IrqChipActor;
import dev.devemu.hw.pci.HostBridgeActor;
import dev.devemu.kernel.CpuActor;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.kernel.dma.KernelHost;
import dev.devemu.kernel.driver.BindingChanged;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.kernel.fs.UserProcess;
import dev.devemu.kernel.fs.Vfs;
import dev.devemu.kernel.init.KernelInit;
import dev.devemu.scenario.BusKind;
import dev.devemu.scenario.Catalog;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.TestbedBus;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.sim.SimRun;
import dev.devemu.sim.Traceable;
import dev.devemu.userspace.ProcessActor;
import dev.devemu.userspace.UserProgram;
import dev.devemu.wire.LocalOnly;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The root of one testbed: builds the machine the scenario describes (CPUs, interrupt controller, host bridge,
 * buses, devices, drivers, workload), plays the fault plan, and ends the run at the scenario's duration or at
 * the first report under panic-on-oops. What it saw goes into a {@link RunResult}.
 */
public final class Testbed extends AbstractBehavior<Testbed.Command> {

  /** Messages the testbed root understands. */
  public interface Command {}

  private enum End implements Command, LocalOnly, Traceable {
    INSTANCE;

    @Override
    public String traceText() {
      return "EndOfRun";
    }
  }

  private record OopsRaised(Oops oops) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "Oops(" + oops.detector() + ")";
    }
  }

  private record Bindings(BindingChanged change) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "BindingChanged(" + change.device() + ", " + (change.bound() ? "bound" : "unbound") + ")";
    }
  }

  private final Scenario scenario;
  private final SimRun run;
  private final Kernel kernel;
  private final Consumer<RunResult> done;
  private final List<ActorRef<?>> children;
  /** Bindings in force, by device: since when, and the exposure key ({@code my_pcie/raw}) they count for. */
  private final Map<String, Bound> bound = new TreeMap<>();

  private record Bound(long sinceNanos, String key) {}

  private final TreeMap<String, Long> exposure = new TreeMap<>();
  private final List<String> probeFailures = new ArrayList<>();
  /** Drivers that bound to a device at least once (even for no time at all): they were tested. */
  private final java.util.Set<String> everBound = new java.util.TreeSet<>();
  private final FaultScheduler faults;
  private String outcome = "completed";
  private boolean finished;

  /**
   * @param done receives the result when the testbed has stopped (on the lane thread)
   */
  public static Behavior<Command> create(Scenario scenario, SimRun run, Consumer<RunResult> done) {
    return create(scenario, run, done, k -> {});
  }

  /**
   * @param atEnd looks at the machine as it is when the run ends (sysfs for lspci, say), before the result is
   *     handed over; on the lane thread
   */
  public static Behavior<Command> create(Scenario scenario, SimRun run, Consumer<RunResult> done,
      Consumer<Kernel> atEnd) {
    return create(scenario, run, done, atEnd, k -> {});
  }

  /** @param atBoot sets up the kernel before anything runs on it (error-path coverage, say); on the lane thread */
  public static Behavior<Command> create(Scenario scenario, SimRun run, Consumer<RunResult> done,
      Consumer<Kernel> atEnd, Consumer<Kernel> atBoot) {
    return Behaviors.setup(ctx -> new Testbed(ctx, scenario, run, done, atEnd, atBoot));
  }

  private final Consumer<Kernel> atEnd;

  private Testbed(ActorContext<Command> ctx, Scenario scenario, SimRun run, Consumer<RunResult> done,
      Consumer<Kernel> atEnd, Consumer<Kernel> atBoot) {
    super(ctx);
    this.scenario = scenario;
    this.run = run;
    this.done = done;
    this.atEnd = atEnd;
    this.kernel = KernelInit.start(run, scenario.kernel());
    atBoot.accept(kernel);
    Scenario.Machine m = scenario.machine();
    Dma.of(kernel).iommu(m.iommu());
    kernel.irqs().affinity(m.affinity());
    scenario.faults().probabilities().forEach(kernel.faults()::set);
    ActorRef<Command> self = ctx.getSelf();
    this.faults = new FaultScheduler(kernel, run, scenario.faults(), () -> finished);
    if (run.placement() != null) {
      // a lost time domain: its devices are surprise-removed (docs/domains.md, "A lost domain")
      for (var d : scenario.domains().domains()) faults.routeAlso(d.slots());
      run.placement().onLoss(domain -> {
        for (var d : scenario.domains().domains()) {
          if (d.name().equals(domain)) faults.loseDomain(domain, d.slots());
        }
      });
    }
    kernel.onOops(o -> self.tell(new OopsRaised(o)));
    run.onStall(spinner -> onLivelock(spinner, self));

    Assembly builder = new Assembly(ctx);
    for (int i = 0; i < m.cpus(); i++) kernel.attachCpu(builder.spawn(CpuActor.create(i, kernel), "cpu" + i));
    builder.irqChip = builder.spawn(IrqChipActor.create(builder.host()), "irqchip");
    builder.hostBridge = builder.spawn(HostBridgeActor.create(builder.host()), "hostbridge");
    builder.createBuses();
    for (DeviceSpec d : scenario.devices()) d.install(builder);
    for (Scenario.DriverSpec d : scenario.drivers()) builder.loadDriver(d.entry());
    for (WorkloadSpec w : scenario.workload()) w.install(builder);
    // Every bus reports bindings here: exposure (device-hours per driver and variant) is counted from them.
    Consumer<BindingChanged> bindings = change -> self.tell(new Bindings(change));
    List<TestbedBus> started = new ArrayList<>();
    for (TestbedBus bus : builder.buses.values()) {
      if (!bus.inUse()) continue;
      bus.start(bindings);
      started.add(bus);
    }
    this.children = builder.watched;
    kernel.clock().schedule(scenario.durationNanos(), "end of run", () -> self.tell(End.INSTANCE));
    faults.start();
    for (TestbedBus bus : started) bus.boot();
    TestbedBuilder.Started running = new TestbedBuilder.Started(kernel);
    for (var action : builder.onStart) action.accept(running);
  }

  /**
   * The testbed as plug-ins see it while it is built ({@link TestbedBuilder}): spawns go to the root's children,
   * on its lane; the buses are those the catalog lists, in their start order.
   */
  private final class Assembly implements TestbedBuilder {
    private final ActorContext<Command> ctx;
    private final KernelHost host = KernelHost.of(kernel);
    private ActorRef<IrqChipActor.Command> irqChip;
    private ActorRef<HostBridgeActor.Command> hostBridge;
    private final Map<Class<?>, TestbedBus> buses = new LinkedHashMap<>();
    private final List<Consumer<Started>> onStart = new ArrayList<>();
    private final List<ActorRef<?>> watched = new ArrayList<>();

    Assembly(ActorContext<Command> ctx) {
      this.ctx = ctx;
    }

    void createBuses() {
      buses.clear();
      for (BusKind kind : Catalog.buses()) {
        TestbedBus bus = kind.create(this);
        if (buses.put(bus.getClass(), bus) != null) {
          throw new IllegalStateException("two buses of class " + bus.getClass().getName());
        }
      }
    }

    @Override
    public Kernel kernel() {
      return kernel;
    }

    @Override
    public Host host() {
      return host;
    }

    @Override
    public SimRun run() {
      return run;
    }

    @Override
    public Scenario scenario() {
      return scenario;
    }

    @Override
    public ActorRef<IrqChipActor.Command> irqChip() {
      return irqChip;
    }

    @Override
    public ActorRef<HostBridgeActor.Command> hostBridge() {
      return hostBridge;
    }

    @Override
    public <T> ActorRef<T> spawn(Behavior<T> behavior, String name) {
      ActorRef<T> ref = ctx.spawn(behavior, name, DispatcherSelector.sameAsParent());
      ctx.watch(ref); // a testbed actor that throws is an emulator bug: the root hears of it and stops the run
      watched.add(ref);
      return ref;
    }

    @Override
    public <T> ActorRef<T> spawnDevice(String slot, Behavior<T> behavior, String name) {
      String domain = domainOf(slot);
      if (domain == null) return spawn(behavior, name);
      ActorRef<T> ref = ctx.spawn(behavior, name, DispatcherSelector.fromConfig(run.placement().dispatcher(domain)));
      ctx.watch(ref);
      watched.add(ref);
      return ref;
    }

    @Override
    public dev.devemu.sim.VirtualClock deviceClock(String slot) {
      String domain = domainOf(slot);
      return domain == null ? host.clock() : run.placement().clock(domain);
    }

    @Override
    public boolean inOwnDomain(String slot) {
      return domainOf(slot) != null;
    }

    /** The slot's time domain, or null for the guest's (always null when the run is not split into domains). */
    private String domainOf(String slot) {
      return run.placement() == null ? null : scenario.domains().domainOf(slot);
    }

    @Override
    public <B extends TestbedBus> B bus(Class<B> type) {
      TestbedBus bus = buses.get(type);
      if (bus == null) throw new IllegalStateException("no bus " + type.getName() + " in the catalog");
      return type.cast(bus);
    }

    @Override
    public void loadDriver(DriverEntry<?, ?> driver) {
      for (TestbedBus bus : buses.values()) {
        if (bus.takes(driver)) return;
      }
      throw new IllegalStateException("no bus takes driver " + driver.name() + " (for " + driver.deviceType().getName()
          + ")");
    }

    @Override
    public void route(String slot, Consumer<BusEvents.Event> bus) {
      faults.route(slot, bus);
    }

    @Override
    public ActorRef<ProcessActor.Command> spawnProcess(String comm, UserProgram program, long startDelayNanos) {
      UserProcess p = Vfs.of(kernel).newProcess(comm);
      return spawn(ProcessActor.create(kernel, p, program, random("proc:" + comm + ":" + p.pid()), -1,
          startDelayNanos), "proc-" + comm + "-" + p.pid());
    }

    @Override
    public void onStart(Consumer<Started> action) {
      onStart.add(action);
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(End.INSTANCE, this::onEnd)
        .onMessage(OopsRaised.class, this::onOops)
        .onMessage(Bindings.class, this::onBinding)
        .onSignal(org.apache.pekko.actor.typed.ChildFailed.class, this::onChildFailed)
        .onSignal(PostStop.class, s -> onStop())
        .build();
  }

  /** A testbed actor threw: an emulator bug, not a driver bug. The run stops and says so. */
  private Behavior<Command> onChildFailed(org.apache.pekko.actor.typed.ChildFailed failed) {
    outcome = "internal-error";
    internalError = failed.getRef().path().name() + ": " + failed.getCause();
    return finish();
  }

  private String internalError;

  /**
   * Too many deliveries without virtual time passing. A CPU that spun is blamed as a soft lockup (a driver
   * bug); anything else spinning is the emulator's own livelock (outcome {@code livelock}). Either way the run
   * ends: the kernel halts, so no CPU spins on, and the testbed is told to stop.
   */
  private void onLivelock(String spinner, ActorRef<Command> self) {
    int cpu = spinner != null && spinner.matches("cpu\\d+") ? Integer.parseInt(spinner.substring(3)) : -1;
    dev.devemu.kernel.Task t = kernel.lastTaskOn(cpu);
    if (t != null) {
      kernel.hungTask().livelock(cpu, t, run.maxChoicesPerInstant());
      if (!scenario.kernel().panicOnOops()) outcome = "livelock";
    } else {
      outcome = "livelock";
      kernel.printk("devemu: livelock: " + run.maxChoicesPerInstant() + " deliveries without virtual time passing, "
          + "the last to " + spinner + "; the run stops");
    }
    kernel.halt();
    self.tell(End.INSTANCE);
  }

  private Behavior<Command> onEnd() {
    return finish();
  }

  private Behavior<Command> onOops(OopsRaised m) {
    if (scenario.kernel().panicOnOops()) {
      outcome = "panic";
      return finish();
    }
    return this;
  }

  private Behavior<Command> onBinding(Bindings m) {
    var c = m.change();
    String key = exposureKey(c.driver(), c.variant());
    if (c.bound()) {
      everBound.add(c.driver());
      bound.put(c.device(), new Bound(kernel.now(), key));
    } else {
      accrue(c.device());
      if (c.probeResult() != 0) probeFailures.add(probeFailure(c.driver(), c.device(), c.probeResult()));
    }
    exposure.putIfAbsent(key, 0L);
    return this;
  }

  /** As drivers/base/dd.c logs it: {@code my_pcie: probe of 0000:01:00.0 failed with error -22 (EINVAL)}. */
  static String probeFailure(String driver, String device, int rc) {
    String name = dev.devemu.uapi.Errno.describe(rc);
    return driver + ": probe of " + device + " failed with error " + rc
        + (name.startsWith("-") && !name.equals(Integer.toString(rc)) ? " (" + name.substring(1) + ")" : "");
  }

  /** {@code my_pcie/raw}, one string per driver and variant (a binding per device holds it). */
  private String exposureKey(String driver, Variant variant) {
    String key = driver + "/" + variant;
    String known = exposure.floorKey(key);
    return key.equals(known) ? known : key;
  }

  private void accrue(String device) {
    Bound b = bound.remove(device);
    // Timers within the lookahead may run the clock a few microseconds past the end before the end is handled;
    // exposure stops at the scenario's duration, so device-hours are exactly what the scenario states.
    long until = Math.min(kernel.now(), scenario.durationNanos());
    if (b != null) exposure.merge(b.key(), Math.max(0, until - b.sinceNanos()), Long::sum);
  }

  private Behavior<Command> finish() {
    if (finished) return this;
    finished = true;
    kernel.halt();
    for (String device : new ArrayList<>(bound.keySet())) accrue(device);
    for (ActorRef<?> child : children) getContext().unwatch(child);
    return Behaviors.stopped();
  }

  private Behavior<Command> onStop() {
    for (String device : new ArrayList<>(bound.keySet())) accrue(device);
    String variant = scenario.variantText();
    if ("completed".equals(outcome) && kernel.oopses().isEmpty() && !scenario.drivers().isEmpty()
        && everBound.isEmpty()) {
      // no driver of the scenario ever bound: the run tested nothing, and says so. (One driver of several that
      // never bound, e.g. its probe hit an injected -ENOMEM, leaves a run that tested the others: it has its
      // probe failure, and that driver simply has no exposure.)
      outcome = NonRun.OUTCOME;
    }
    RunResult result = new RunResult(scenario.name(), run.seed(), variant, outcome, kernel.now(), run.choices(),
        List.copyOf(kernel.oopses()), Collections.unmodifiableMap(new TreeMap<>(exposure)), List.copyOf(probeFailures),
        kernel.faults().injected().size(), faults.hotplugEvents(), kernel.log().lines(), internalError);
    run.finish();
    atEnd.accept(kernel);
    done.accept(result);
    return this;
  }
}
