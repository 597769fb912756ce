package dev.devemu.kernel.usb;

import dev.devemu.hw.BusEvents;
import dev.devemu.hw.HostBound;
import dev.devemu.hw.usb.UsbDeviceActor;
import dev.devemu.hw.usb.XhciActor;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Sysfs;
import dev.devemu.kernel.driver.Binding;
import dev.devemu.kernel.driver.BindingChanged;
import dev.devemu.kernel.driver.DriverCore;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.kernel.driver.DriverInstanceActor;
import dev.devemu.kernel.pci.PciBusActor;
import dev.devemu.sim.Cause;
import dev.devemu.sim.Traceable;
import dev.devemu.spec.usb.UsbDeviceState;
import dev.devemu.spec.usb.UsbPort;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import dev.devemu.wire.CrossNode;
import dev.devemu.wire.LocalOnly;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The USB bus: the root hub's ports and the hub driver (hub_wq). It starts the host controller driver, enumerates
 * what is plugged in (as kernel tasks talking to the device through the controller), matches interfaces against
 * the loaded drivers' ID tables, runs probe and disconnect through driver instances, and turns unplugs into
 * disconnects:
 * <ul>
 *   <li>surprise unplug: the device is gone at once (its transfers fail with -EPROTO); the hub notices the port
 *       change {@code machine.hotplug-detection} later, marks the device NOTATTACHED (submits then fail with
 *       -ENODEV), flushes the interface's URBs (-ESHUTDOWN) and runs the driver's disconnect;</li>
 *   <li>orderly unplug: the kernel deconfigures the device first, as {@code echo 0 > …/authorized} does — the
 *       driver's disconnect runs while the device still answers (a soft_unbind driver's URBs are still in flight),
 *       then the endpoints are flushed, the slot disabled, and the port powered off.</li>
 * </ul>
 * The first interface of the active configuration is offered to drivers (the bulk device has only one).
 */
public final class UsbBusActor extends AbstractBehavior<HostBound> {

  /** Messages the USB bus understands. */
  public interface Command extends HostBound {}

  /** Start the host controller driver and connect the devices present at boot. */
  public enum Boot implements Command, LocalOnly, Traceable {
    INSTANCE;

    @Override
    public String traceText() {
      return "Boot";
    }
  }

  /** The xhci interrupt handler saw a Port Status Change event (what kicks hub_wq). */
  public record PortStatusChanged(int port, boolean connected, UsbSpeed speed, Cause cause)
      implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "PortStatusChanged(" + port + (connected ? ", connected" : ", disconnected") + ")";
    }
  }

  private record HcdStarted(int rc) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "HcdStarted(" + rc + ")";
    }
  }

  private record Enumerated(int port, long generation, int rc) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "Enumerated(" + port + ", " + rc + ")";
    }
  }

  private record HubWork(int port, long generation) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "HubWork(" + port + ")";
    }
  }

  private record TornDown(int port, long generation) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "TornDown(" + port + ")";
    }
  }

  private record InstanceReply(DriverInstanceActor.Reply reply) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return Traceable.describe(reply);
    }
  }

  /** A root-hub port and the device model plugged into it. */
  public record Slot(UsbPort port, ActorRef<UsbDeviceActor.Command> device, UsbSpeed speed, boolean presentAtBoot) {}

  private enum State { EMPTY, ENUMERATING, UNBOUND, PROBING, BOUND, REMOVING, TEARDOWN }

  private static final class PortState {
    final Slot slot;
    final String name;
    State state = State.EMPTY;
    boolean plugged;
    /** The connect status the controller last reported for the port (PORTSC.CCS as the hub driver saw it). */
    boolean linkUp;
    long generation;
    UsbDevice udev;
    UsbInterface intf;
    ActorRef<DriverInstanceActor.Command> instance;
    DriverEntry<UsbInterface, UsbDeviceId> driver;
    /** The next driver to try on the interface, in load order. */
    final int[] nextDriver = {0};
    boolean disconnectPending;
    boolean orderly;
    boolean hubWorkScheduled;

    PortState(Slot slot) {
      this.slot = slot;
      this.name = slot.port().toString();
    }
  }

  private final Kernel kernel;
  private final UsbHcd hcd;
  private final ActorRef<XhciActor.Command> hc;
  private final DriverCore<UsbInterface, UsbDeviceId> drivers;
  private final TreeMap<Integer, PortState> ports = new TreeMap<>();
  private final TreeMap<String, PortState> byInterface = new TreeMap<>();
  private final long detectionNanos;

  public static Behavior<HostBound> create(Kernel kernel, UsbHcd hcd, ActorRef<XhciActor.Command> hc, List<Slot> slots,
      List<UsbDriverEntry> drivers, long detectionNanos, Consumer<BindingChanged> listener) {
    return Behaviors.setup(ctx -> new UsbBusActor(ctx, kernel, hcd, hc, slots, drivers, detectionNanos, listener));
  }

  private UsbBusActor(ActorContext<HostBound> ctx, Kernel kernel, UsbHcd hcd, ActorRef<XhciActor.Command> hc,
      List<Slot> slots, List<UsbDriverEntry> drivers, long detectionNanos,
      Consumer<BindingChanged> listener) {
    super(ctx);
    this.kernel = kernel;
    this.hcd = hcd;
    this.hc = hc;
    this.detectionNanos = detectionNanos;
    for (Slot s : slots) ports.put(s.port().port(), new PortState(s));
    this.drivers = new DriverCore<>(kernel, ctx, ctx.messageAdapter(DriverInstanceActor.Reply.class,
        InstanceReply::new), drivers, listener);
  }

  @Override
  public Receive<HostBound> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Boot.INSTANCE, this::onBoot)
        .onMessage(HcdStarted.class, this::onHcdStarted)
        .onMessage(PortStatusChanged.class, this::onPortStatusChanged)
        .onMessage(Enumerated.class, this::onEnumerated)
        .onMessage(HubWork.class, this::onHubWork)
        .onMessage(TornDown.class, this::onTornDown)
        .onMessage(InstanceReply.class, this::onInstanceReply)
        .onMessage(BusEvents.HotPlug.class, this::onHotPlug)
        .onMessage(BusEvents.HotUnplug.class, this::onHotUnplug)
        .onMessage(BusEvents.LinkChanged.class, this::onLinkChanged)
        .onMessage(BusEvents.Event.class, this::onUnsupportedEvent)
        .build();
  }

  private Behavior<HostBound> onBoot() {
    ActorRef<HostBound> self = getContext().getSelf();
    kernel.spawn(-1, "kworker/u:xhci", Owner.KERNEL, Cause.root("usb", kernel.now(), "xhci_hcd probe"), hcd.start(),
        (task, result) -> self.tell(new HcdStarted(result instanceof Integer i ? i : -Errno.EIO)));
    return this;
  }

  private Behavior<HostBound> onHcdStarted(HcdStarted m) {
    if (m.rc() < 0) {
      kernel.printk(UsbHcd.NAME + ": can't setup: " + m.rc());
      return this;
    }
    for (PortState p : ports.values()) {
      if (p.slot.presentAtBoot()) connect(p, Cause.root("usb", kernel.now(), "device present at boot in " + p.name));
    }
    return this;
  }

  /** The physical plug: the device powers up and its link trains. */
  private void connect(PortState p, Cause cause) {
    p.plugged = true;
    p.slot.device().tell(new UsbDeviceActor.SetPresent(true));
    hc.tell(new XhciActor.PortConnection(p.slot.port().port(), true, p.slot.speed(), cause));
  }

  /** The physical unplug (or power-off): the device is gone, the link drops. */
  private void disconnectPhysically(PortState p, Cause cause) {
    p.plugged = false;
    p.slot.device().tell(new UsbDeviceActor.SetPresent(false));
    hc.tell(new XhciActor.PortConnection(p.slot.port().port(), false, p.slot.speed(), cause));
  }

  private PortState port(String slot) {
    try {
      return ports.get(UsbPort.parse(slot).port());
    } catch (IllegalArgumentException e) {
      kernel.printk("usb: hot-plug event for unknown port " + slot + " ignored");
      return null;
    }
  }

  private Behavior<HostBound> onHotPlug(BusEvents.HotPlug m) {
    PortState p = port(m.slot());
    if (p == null || p.plugged) return this;
    connect(p, m.cause() == null ? Cause.root("fault-plan", kernel.now(), "plug " + p.name) : m.cause());
    return this;
  }

  private Behavior<HostBound> onHotUnplug(BusEvents.HotUnplug m) {
    PortState p = port(m.slot());
    if (p == null || !p.plugged) return this;
    Cause c = m.cause() == null ? Cause.root("fault-plan", kernel.now(), "unplug " + p.name) : m.cause();
    if (m.surprise()) {
      kernel.printk("usb usb1-port" + p.slot.port().port() + ": device removed (surprise)");
      disconnectPhysically(p, c);
      return this;
    }
    // Orderly: deconfigure first (drivers unbind while the device still answers), then power the port off.
    p.orderly = true;
    switch (p.state) {
      case EMPTY -> disconnectPhysically(p, c);
      case BOUND -> {
        kernel.printk("usb " + p.name + ": deauthorizing for removal");
        startRemove(p, c);
      }
      case UNBOUND -> startTeardown(p);
      default -> { } // enumerating, probing or already leaving: handled when that step ends
    }
    return this;
  }

  /** A fault a USB port cannot suffer (stalls and interrupt bursts are PCIe faults): logged, the run goes on. */
  private Behavior<HostBound> onUnsupportedEvent(BusEvents.Event m) {
    kernel.printk("usb " + m.slot() + ": " + m.traceText() + " does not apply to a USB port; ignored");
    return this;
  }

  private Behavior<HostBound> onLinkChanged(BusEvents.LinkChanged m) {
    // A USB port has no link to retrain: link-down is a surprise unplug, link-up a plug.
    return m.up() ? onHotPlug(new BusEvents.HotPlug(m.slot(), m.cause()))
        : onHotUnplug(new BusEvents.HotUnplug(m.slot(), true, m.cause()));
  }

  private Behavior<HostBound> onPortStatusChanged(PortStatusChanged m) {
    PortState p = ports.get(m.port());
    if (p == null) return this;
    p.linkUp = m.connected();
    if (m.connected()) {
      if (p.state == State.EMPTY && p.plugged) enumerate(p, m.cause());
    } else if (p.state != State.EMPTY && !p.hubWorkScheduled) {
      p.hubWorkScheduled = true;
      long generation = p.generation;
      ActorRef<HostBound> self = getContext().getSelf();
      kernel.clock().schedule(detectionNanos, "hub_wq " + p.name, () -> self.tell(new HubWork(m.port(), generation)));
    }
    return this;
  }

  private void enumerate(PortState p, Cause cause) {
    p.state = State.ENUMERATING;
    p.generation++;
    p.disconnectPending = false;
    p.orderly = false;
    p.hubWorkScheduled = false;
    UsbDevice udev = new UsbDevice(hcd, p.slot.port(), p.slot.speed());
    p.udev = udev;
    long generation = p.generation;
    int port = p.slot.port().port();
    ActorRef<HostBound> self = getContext().getSelf();
    kernel.spawn(-1, "kworker/hub_wq", Owner.KERNEL, cause, UsbHub.enumerate(udev),
        (task, result) -> self.tell(new Enumerated(port, generation, result instanceof Integer i ? i : -Errno.EIO)));
  }

  private Behavior<HostBound> onEnumerated(Enumerated m) {
    PortState p = ports.get(m.port());
    if (p == null || p.generation != m.generation() || p.state != State.ENUMERATING) return this;
    if (m.rc() < 0) {
      kernel.printk("usb " + p.name + ": unable to enumerate USB device");
      p.state = State.EMPTY;
      p.udev = null;
      if (p.orderly && p.plugged) disconnectPhysically(p, Cause.root("usb", kernel.now(), "power off " + p.name));
      return this;
    }
    p.state = State.UNBOUND;
    if (p.disconnectPending || p.orderly) {
      startTeardown(p);
      return this;
    }
    UsbInterface intf = p.udev.interfaces().isEmpty() ? null : p.udev.interfaces().get(0);
    for (UsbInterface i : p.udev.interfaces()) {
      kernel.sysfs().add(new Sysfs.Device("usb", i.name(), i.modalias(), null));
    }
    p.intf = intf;
    p.nextDriver[0] = 0;
    if (intf != null) {
      byInterface.put(intf.name(), p);
      tryNextDriver(p, Cause.rootLazy("usb", Cause.NO_CPU, kernel.now(), () -> "enumerated " + intf.name()));
    }
    return this;
  }

  private void tryNextDriver(PortState p, Cause cause) {
    DriverCore.Probing<UsbInterface, UsbDeviceId> probing = drivers.probeNext(p.intf, p.name, cause, p.nextDriver);
    if (probing == null) {
      p.state = State.UNBOUND;
      return;
    }
    p.driver = probing.driver();
    p.instance = probing.instance();
    p.state = State.PROBING;
  }

  private Behavior<HostBound> onInstanceReply(InstanceReply m) {
    if (m.reply() instanceof DriverInstanceActor.ProbeCompleted c) {
      PortState p = byInterface.get(c.device());
      if (p == null || p.state != State.PROBING) return this;
      if (drivers.probeCompleted(p.driver, p.intf, c.result())) {
        p.state = State.BOUND;
        if (p.disconnectPending || p.orderly) startRemove(p, Cause.root("usb", kernel.now(), "remove " + p.name));
      } else {
        p.instance = null;
        if (p.disconnectPending || p.orderly) {
          p.state = State.UNBOUND;
          startTeardown(p);
        } else {
          tryNextDriver(p, Cause.root("usb", kernel.now(), "next driver for " + c.device()));
        }
      }
    } else if (m.reply() instanceof DriverInstanceActor.RemoveCompleted r) {
      PortState p = byInterface.get(r.device());
      if (p == null) return this;
      drivers.removeCompleted(p.driver, p.intf);
      p.instance = null;
      startTeardown(p);
    }
    return this;
  }

  /** hub_wq handles a disconnect: usb_disconnect marks the device NOTATTACHED and unbinds its drivers. */
  private Behavior<HostBound> onHubWork(HubWork m) {
    PortState p = ports.get(m.port());
    if (p == null || p.generation != m.generation()) return this;
    p.hubWorkScheduled = false;
    if (p.state == State.EMPTY) return this;
    if (p.udev != null && p.udev.state() != UsbDeviceState.NOTATTACHED) {
      kernel.printk("usb " + p.name + ": USB disconnect, device number " + p.udev.devnum());
      p.udev.state(UsbDeviceState.NOTATTACHED);
    }
    Cause c = Cause.root("hub_wq", kernel.now(), "port " + p.name + " disconnected");
    switch (p.state) {
      case BOUND -> startRemove(p, c);
      case UNBOUND -> startTeardown(p);
      case ENUMERATING, PROBING -> p.disconnectPending = true;
      default -> { }
    }
    return this;
  }

  private void startRemove(PortState p, Cause cause) {
    if (p.state != State.BOUND || p.instance == null) return;
    p.state = State.REMOVING;
    drivers.remove(p.instance, p.intf, cause);
  }

  private void startTeardown(PortState p) {
    p.state = State.TEARDOWN;
    long generation = p.generation;
    int port = p.slot.port().port();
    UsbDevice udev = p.udev;
    ActorRef<HostBound> self = getContext().getSelf();
    if (udev.state() != UsbDeviceState.NOTATTACHED) {
      kernel.printk("usb " + p.name + ": USB disconnect, device number " + udev.devnum());
    }
    kernel.spawn(-1, "kworker/hub_wq", Owner.KERNEL, Cause.root("hub_wq", kernel.now(), "usb_disconnect " + p.name),
        UsbHub.disableDevice(udev), (task, result) -> self.tell(new TornDown(port, generation)));
  }

  private Behavior<HostBound> onTornDown(TornDown m) {
    PortState p = ports.get(m.port());
    if (p == null || p.generation != m.generation() || p.state != State.TEARDOWN) return this;
    for (UsbInterface i : p.udev.interfaces()) {
      kernel.sysfs().remove("usb", i.name());
      byInterface.remove(i.name());
    }
    p.udev.state(UsbDeviceState.NOTATTACHED);
    p.udev = null;
    p.intf = null;
    p.state = State.EMPTY;
    if (p.orderly && p.plugged) {
      kernel.printk("usb " + p.name + ": port powered off");
      disconnectPhysically(p, Cause.root("usb", kernel.now(), "power off " + p.name));
    }
    p.orderly = false;
    // plugged back in while the old device was still being torn down: enumerate the new one now
    if (p.plugged && p.linkUp) enumerate(p, Cause.root("hub_wq", kernel.now(), "port " + p.name + " connected"));
    return this;
  }
}
