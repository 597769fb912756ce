package dev.devemu.testbed;

import dev.devemu.kernel.dma.KernelHost;
import dev.devemu.kernel.init.KernelInit;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.hw.HostBound;
import dev.devemu.hw.BusEvents;
import dev.devemu.hw.pci.HostBridgeActor;
import dev.devemu.kernel.pci.PciBusActor;
import dev.devemu.kernel.platform.PlatformBusActor;
import dev.devemu.kernel.usb.UsbBusActor;
import dev.devemu.hw.usb.UsbDeviceActor;
import dev.devemu.kernel.usb.UsbHcd;
import dev.devemu.hw.usb.XhciActor;
import dev.devemu.hw.usb.XhciEventRing;
import dev.devemu.kernel.CpuActor;
import dev.devemu.hw.machine.IrqChipActor;
import dev.devemu.kernel.Kernel;
import dev.devemu.wire.LocalOnly;
import dev.devemu.kernel.Oops;
import dev.devemu.scenario.Catalog;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.sim.SimRun;
import dev.devemu.sim.Traceable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
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

  /** Passed to start actions: the running machine. */
  public record Started(Kernel kernel, ActorRef<HostBound> pciBus) {}

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

  private record Bindings(PciBusActor.BindingChanged change) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "BindingChanged(" + change.device() + ", " + (change.bound() ? "bound" : "unbound") + ")";
    }
  }

  private final Scenario scenario;
  private final SimRun run;
  private final Kernel kernel;
  private final Consumer<RunResult> done;
  private final ActorRef<HostBound> pciBus;
  /** Null when the scenario has no platform device. */
  private final ActorRef<PlatformBusActor.Command> platformBus;
  /** Null when the scenario has no USB device or driver. */
  private final ActorRef<HostBound> usbBus;
  private final List<ActorRef<?>> children;
  /** Bindings in force, by device: since when, and the exposure key ({@code my_pcie/raw}) they count for. */
  private final Map<String, Bound> bound = new TreeMap<>();

  private record Bound(long sinceNanos, String key) {}

  private final TreeMap<String, Long> exposure = new TreeMap<>();
  private final List<String> probeFailures = new ArrayList<>();
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
    return Behaviors.setup(ctx -> new Testbed(ctx, scenario, run, done, atEnd));
  }

  private final Consumer<Kernel> atEnd;

  private Testbed(ActorContext<Command> ctx, Scenario scenario, SimRun run, Consumer<RunResult> done,
      Consumer<Kernel> atEnd) {
    super(ctx);
    this.scenario = scenario;
    this.run = run;
    this.done = done;
    this.atEnd = atEnd;
    this.kernel = KernelInit.start(run, scenario.kernel());
    Scenario.Machine m = scenario.machine();
    Dma.of(kernel).iommu(m.iommu());
    kernel.irqs().affinity(m.affinity());
    scenario.faults().probabilities().forEach(kernel.faults()::set);
    ActorRef<Command> self = ctx.getSelf();
    this.faults = new FaultScheduler(kernel, run, scenario.faults(), () -> finished);
    kernel.onOops(o -> self.tell(new OopsRaised(o)));
    run.onStall(() -> kernel.printk("watchdog: too many deliveries without virtual time passing"));

    TestbedBuilder builder = new TestbedBuilder(ctx, kernel, scenario);
    for (int i = 0; i < m.cpus(); i++) kernel.attachCpu(builder.spawn(CpuActor.create(i, kernel), "cpu" + i));
    builder.platform(builder.spawn(IrqChipActor.create(KernelHost.of(kernel)), "irqchip"),
        builder.spawn(HostBridgeActor.create(KernelHost.of(kernel)), "hostbridge"));
    for (DeviceSpec d : scenario.devices()) d.install(builder);
    for (Scenario.DriverSpec d : scenario.drivers()) Catalog.driver(d.name()).load(d.variant(), builder);
    for (WorkloadSpec w : scenario.workload()) w.install(builder);
    // Every bus reports bindings here: exposure (device-hours per driver and variant) is counted from them.
    Consumer<PciBusActor.BindingChanged> bindings = change -> self.tell(new Bindings(change));
    this.pciBus = builder.spawn(PciBusActor.create(kernel, builder.pciSlots(), builder.pciDrivers(),
        m.hotplugDetectionNanos(), bindings), "pci");
    if (builder.platformDevices().isEmpty()) {
      this.platformBus = null;
    } else {
      this.platformBus = builder.spawn(PlatformBusActor.create(kernel, builder.platformDevices(),
          builder.platformDrivers(), bindings), "platform");
      // A platform device has no link: plug adds it, an unplug of either kind unregisters it (the loader
      // allows only these actions on it).
      ActorRef<PlatformBusActor.Command> platform = platformBus;
      for (PlatformBusActor.Slot s : builder.platformDevices()) {
        faults.route(s.name(), e -> platform.tell(e instanceof BusEvents.HotPlug
            ? new PlatformBusActor.AddDevice(s.name(), e.cause()) : new PlatformBusActor.RemoveDevice(s.name(), e.cause())));
      }
    }
    this.usbBus = builder.usbInUse() ? usb(builder, m, bindings) : null;
    if (usbBus != null) {
      ActorRef<HostBound> usb = usbBus;
      for (UsbBusActor.Slot s : builder.usbSlots()) faults.route(s.port().toString(), usb::tell);
    }

    this.children = builder.watched();
    kernel.clock().schedule(scenario.durationNanos(), "end of run", () -> self.tell(End.INSTANCE));
    ActorRef<HostBound> bus = pciBus;
    Consumer<BusEvents.Event> toPciBus = bus::tell;
    for (PciBusActor.Slot slot : builder.pciSlots()) faults.route(slot.name(), toPciBus);
    builder.routes().forEach(faults::route);
    faults.start();
    pciBus.tell(PciBusActor.Boot.INSTANCE);
    if (platformBus != null) platformBus.tell(PlatformBusActor.Boot.INSTANCE);
    if (usbBus != null) usbBus.tell(UsbBusActor.Boot.INSTANCE);
    Started started = new Started(kernel, pciBus);
    for (var action : builder.startActions()) action.accept(started);
  }

  /** The xHCI controller, its kernel driver and the USB bus with the devices on its root-hub ports. */
  private ActorRef<HostBound> usb(TestbedBuilder builder, Scenario.Machine m,
      Consumer<PciBusActor.BindingChanged> bindings) {
    XhciEventRing ring = new XhciEventRing();
    UsbHcd hcd = new UsbHcd(kernel, ring);
    TreeMap<Integer, ActorRef<UsbDeviceActor.Command>> byPort = new TreeMap<>();
    for (UsbBusActor.Slot s : builder.usbSlots()) byPort.put(s.port().port(), s.device());
    ActorRef<XhciActor.Command> xhci = builder.spawn(XhciActor.create(KernelHost.of(kernel), ring, builder.irqChip(), byPort), "xhci");
    ActorRef<HostBound> bus = builder.spawn(UsbBusActor.create(kernel, hcd, xhci, builder.usbSlots(),
        builder.usbDrivers(), m.hotplugDetectionNanos(), bindings), "usb");
    hcd.attach(xhci, bus);
    return bus;
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
      bound.put(c.device(), new Bound(kernel.now(), key));
    } else {
      accrue(c.device());
      if (c.probeResult() != 0) probeFailures.add(c.driver() + " " + c.device() + " " + dev.devemu.uapi.Errno.describe(c.probeResult()));
    }
    exposure.putIfAbsent(key, 0L);
    return this;
  }

  /** {@code my_pcie/raw}, one string per driver and variant (a binding per device holds it). */
  private String exposureKey(String driver, String variant) {
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
    String variant = String.join("+", scenario.variants());
    RunResult result = new RunResult(scenario.name(), run.seed(), variant, outcome, kernel.now(), run.choices(),
        List.copyOf(kernel.oopses()), Collections.unmodifiableMap(new TreeMap<>(exposure)), List.copyOf(probeFailures),
        kernel.faults().injected().size(), faults.hotplugEvents(), kernel.log().lines(), internalError);
    run.finish();
    atEnd.accept(kernel);
    done.accept(result);
    return this;
  }
}
