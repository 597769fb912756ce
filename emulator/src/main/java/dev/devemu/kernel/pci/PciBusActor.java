package dev.devemu.kernel.pci;

import dev.devemu.hw.BusEvents;
import dev.devemu.hw.HostBound;
import dev.devemu.hw.pci.PciConfigSpace;
import dev.devemu.hw.pci.PciDeviceActor;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.driver.Binding;
import dev.devemu.kernel.driver.BindingChanged;
import dev.devemu.kernel.driver.DriverCore;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.kernel.driver.DriverInstanceActor;
import dev.devemu.sim.Cause;
import dev.devemu.sim.Traceable;
import dev.devemu.spec.pci.PciAddress;
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
 * The PCI bus and its hot-plug controller (pciehp): enumerates slots, assigns BARs, matches functions against
 * the loaded drivers' ID tables, runs probe, and turns hot-unplug — orderly or surprise — into remove.
 */
public final class PciBusActor extends AbstractBehavior<HostBound> {

  /** Messages the bus understands. */
  public interface Command extends HostBound {}

  /** Enumerate every slot that holds a present device and bind drivers. */
  public enum Boot implements Command, LocalOnly, Traceable {
    INSTANCE;

    @Override
    public String traceText() {
      return "Boot";
    }
  }

  private record InstanceReply(DriverInstanceActor.Reply reply) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return Traceable.describe(reply);
    }
  }

  private record SurpriseDetected(PciAddress address, long generation) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "SurpriseDetected(" + address + ")";
    }
  }

  /**
   * A slot of the bus and what sits in it; {@code name} is the address as text, shared by everyone who needs it.
   * {@code liveConfig} reads the device's configuration space as it is now, for sysfs (lspci) only: the
   * simulation itself reads config space with messages.
   */
  public record Slot(PciAddress address, ActorRef<PciDeviceActor.Command> device, boolean presentAtBoot, String name,
      java.util.function.Supplier<byte[]> liveConfig) {
    public Slot(PciAddress address, ActorRef<PciDeviceActor.Command> device, boolean presentAtBoot) {
      this(address, device, presentAtBoot, address.toString(), null);
    }
  }

  private enum State { EMPTY, ENUMERATING, UNBOUND, PROBING, BOUND, REMOVING }

  private static final class SlotState {
    final Slot slot;
    State state = State.EMPTY;
    PciFunction function;
    ActorRef<DriverInstanceActor.Command> instance;
    DriverEntry<PciFunction, PciDeviceId> driver;
    /** The next driver to try on this function, in load order. */
    final int[] nextDriver = {0};
    boolean powerOffAfterRemove;
    boolean surprise;
    /** pciehp saw the surprise removal while probe was running: remove once probe returns. */
    boolean surpriseDetected;
    /** An orderly unplug came while probe was running: remove once probe returns. */
    boolean removeAfterProbe;
    /** A card came back (plug, link up) while the old one was being removed: enumerate once the slot is empty. */
    boolean plugAfterRemove;
    long generation;

    SlotState(Slot slot) {
      this.slot = slot;
    }
  }

  private final Kernel kernel;
  private final DriverCore<PciFunction, PciDeviceId> drivers;
  /** Sorted by address (enumeration order), found by binary search: no map entry per slot. */
  private final SlotState[] slots;
  private final long surpriseDetectionNanos;
  private long nextBarAddress = 0xfe000000L;

  public static Behavior<HostBound> create(Kernel kernel, List<Slot> slots, List<PciDriverEntry> drivers,
      long surpriseDetectionNanos, Consumer<BindingChanged> listener) {
    return Behaviors.setup(ctx -> new PciBusActor(ctx, kernel, slots, drivers, surpriseDetectionNanos, listener));
  }

  private PciBusActor(ActorContext<HostBound> ctx, Kernel kernel, List<Slot> slots, List<PciDriverEntry> drivers,
      long surpriseDetectionNanos, Consumer<BindingChanged> listener) {
    super(ctx);
    this.kernel = kernel;
    this.surpriseDetectionNanos = surpriseDetectionNanos;
    TreeMap<PciAddress, SlotState> byAddress = new TreeMap<>(); // a slot given twice: the last one counts
    for (Slot s : slots) byAddress.put(s.address(), new SlotState(s));
    this.slots = byAddress.values().toArray(new SlotState[0]);
    this.drivers = new DriverCore<>(kernel, ctx, ctx.messageAdapter(DriverInstanceActor.Reply.class,
        InstanceReply::new), drivers, listener);
  }

  @Override
  public Receive<HostBound> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Boot.INSTANCE, this::onBoot)
        .onMessage(PciDeviceActor.Enumerated.class, this::onEnumerated)
        .onMessage(BusEvents.HotPlug.class, this::onHotPlug)
        .onMessage(BusEvents.HotUnplug.class, this::onHotUnplug)
        .onMessage(BusEvents.LinkChanged.class, this::onLinkChanged)
        .onMessage(BusEvents.InterruptBurst.class, this::onInterruptBurst)
        .onMessage(BusEvents.DeviceStall.class, this::onDeviceStall)
        .onMessage(InstanceReply.class, this::onInstanceReply)
        .onMessage(SurpriseDetected.class, this::onSurpriseDetected)
        .build();
  }

  private Behavior<HostBound> onBoot() {
    for (SlotState s : slots) {
      if (s.slot.presentAtBoot()) enumerate(s);
    }
    return this;
  }

  private void enumerate(SlotState s) {
    s.state = State.ENUMERATING;
    s.slot.device().tell(new PciDeviceActor.Enumerate(getContext().getSelf()));
  }

  private Behavior<HostBound> onEnumerated(PciDeviceActor.Enumerated m) {
    SlotState s = slotAt(m.address());
    if (s == null || s.state != State.ENUMERATING) return this;
    PciFunction fn = new PciFunction(m.address(), s.slot.device(), m.config(), m.barSizes(), s.slot.name());
    assignBars(fn);
    s.function = fn;
    s.state = State.UNBOUND;
    kernel.sysfs().add(new dev.devemu.kernel.Sysfs.Device("pci", fn.name(), fn.modalias().intern(),
        s.slot.liveConfig() != null ? s.slot.liveConfig() : m::config));
    s.nextDriver[0] = 0;
    s.generation++;
    kernel.printk("pci " + fn + ": [" + hex4(fn.vendor()) + ":" + hex4(fn.deviceId()) + "] type 00 class 0x"
        + String.format("%06x", fn.classCode()) + " PCIe Endpoint");
    tryNextDriver(s, Cause.rootLazy("pci", Cause.NO_CPU, kernel.now(), () -> "enumerated " + fn));
    return this;
  }

  /** BARs get naturally aligned addresses below 4 GiB, as the firmware or the kernel assigns them. */
  private void assignBars(PciFunction fn) {
    for (int bar = 0; bar < 6; bar++) {
      long size = fn.barSize(bar);
      if (size == 0) continue;
      long at = (nextBarAddress + size - 1) & -size;
      nextBarAddress = at + size;
      fn.assignBar(bar, at);
      int reg = PciConfigSpace.BAR0 + 4 * bar;
      fn.device().tell(new PciDeviceActor.MmioWrite(PciDeviceActor.Space.CONFIG, reg, 4, at & 0xFFFFFFF0L,
          Cause.root("pci", kernel.now(), "assign BAR" + bar)));
      kernel.printk("pci " + fn + ": BAR " + bar + ": assigned [mem 0x" + Long.toHexString(at) + "-0x"
          + Long.toHexString(at + size - 1) + "]");
    }
  }

  private void tryNextDriver(SlotState s, Cause cause) {
    DriverCore.Probing<PciFunction, PciDeviceId> p = drivers.probeNext(s.function, s.function.name(), cause,
        s.nextDriver);
    if (p == null) {
      s.state = State.UNBOUND;
      return;
    }
    s.driver = p.driver();
    s.instance = p.instance();
    s.state = State.PROBING;
  }

  private Behavior<HostBound> onInstanceReply(InstanceReply m) {
    if (m.reply() instanceof DriverInstanceActor.ProbeCompleted p) {
      SlotState s = bySlotName(p.device());
      if (s == null || s.state != State.PROBING) return this;
      if (drivers.probeCompleted(s.driver, s.function, p.result())) {
        s.state = State.BOUND;
        // device_release_driver() waits for a running probe (device_lock): a removal that came meanwhile runs now.
        if (s.removeAfterProbe || s.surpriseDetected) {
          Cause c = Cause.root("pciehp", kernel.now(), "removal deferred until probe returned on " + p.device());
          s.removeAfterProbe = false;
          s.surpriseDetected = false;
          startRemove(s, c);
        }
      } else {
        s.instance = null;
        s.surpriseDetected = false;
        if (s.removeAfterProbe) {
          s.removeAfterProbe = false;
          vacate(s);
          if (s.powerOffAfterRemove) s.slot.device().tell(new PciDeviceActor.SetPresent(false, false));
        } else if (s.surprise || s.function.disconnected()) {
          vacate(s);
        } else {
          tryNextDriver(s, Cause.root("pci", kernel.now(), "next driver for " + p.device()));
        }
      }
    } else if (m.reply() instanceof DriverInstanceActor.RemoveCompleted r) {
      SlotState s = bySlotName(r.device());
      if (s == null) return this;
      drivers.removeCompleted(s.driver, s.function);
      s.instance = null;
      vacate(s);
      if (s.powerOffAfterRemove) s.slot.device().tell(new PciDeviceActor.SetPresent(false, false));
      kernel.printk("pci " + r.device() + ": removed");
    }
    return this;
  }

  private SlotState bySlotName(String name) {
    return slotAt(PciAddress.parse(name));
  }

  private Behavior<HostBound> onHotPlug(BusEvents.HotPlug m) {
    SlotState s = slot(m.slot());
    if (s == null) return this;
    if (s.state != State.EMPTY) {
      // pciehp handles a presence or link change by first turning the slot off if it was on (waiting for the
      // driver's remove), then turning it on again if a card is there: drivers/pci/hotplug/pciehp_ctrl.c,
      // pciehp_handle_presence_or_link_change(). A card that is still present and bound needs nothing.
      if (s.state == State.REMOVING || s.surprise || s.removeAfterProbe) s.plugAfterRemove = true;
      return this;
    }
    s.surprise = false;
    s.slot.device().tell(new PciDeviceActor.SetPresent(true, false));
    kernel.printk("pciehp " + m.slot() + ": Slot(" + m.slot() + "): Card present");
    enumerate(s);
    return this;
  }

  private Behavior<HostBound> onHotUnplug(BusEvents.HotUnplug m) {
    SlotState s = slot(m.slot());
    if (s == null) return this;
    s.plugAfterRemove = false; // the card that was to come back is gone again
    if (s.state == State.EMPTY || s.state == State.REMOVING || (s.surprise && !m.surprise())) return this;
    Cause c = m.cause() == null ? Cause.root("fault-plan", kernel.now(), "unplug " + m.slot()) : m.cause();
    if (m.surprise()) {
      // The card is gone now; pciehp notices the link change a little later and then unbinds the driver.
      s.surprise = true;
      s.slot.device().tell(new PciDeviceActor.SetPresent(false, true));
      if (s.function != null) s.function.disconnected(true);
      kernel.printk("pciehp " + m.slot() + ": Slot(" + m.slot() + "): Link Down (surprise removal)");
      long generation = s.generation;
      ActorRef<HostBound> self = getContext().getSelf();
      PciAddress address = s.slot.address();
      kernel.clock().schedule(surpriseDetectionNanos, "pciehp " + m.slot(),
          () -> self.tell(new SurpriseDetected(address, generation)));
      if (s.state != State.BOUND && s.state != State.PROBING) vacate(s);
    } else {
      s.powerOffAfterRemove = true;
      kernel.printk("pciehp " + m.slot() + ": Slot(" + m.slot() + "): Attention button pressed, powering off");
      startRemove(s, c);
    }
    return this;
  }

  private Behavior<HostBound> onSurpriseDetected(SurpriseDetected m) {
    SlotState s = slotAt(m.address());
    if (s == null || s.generation != m.generation()) return this;
    if (s.state == State.BOUND) {
      s.powerOffAfterRemove = false;
      startRemove(s, Cause.root("pciehp", kernel.now(), "surprise removal of " + m.address()));
    } else if (s.state == State.PROBING) {
      s.surpriseDetected = true;
    }
    return this;
  }

  private Behavior<HostBound> onLinkChanged(BusEvents.LinkChanged m) {
    return m.up() ? onHotPlug(new BusEvents.HotPlug(m.slot(), m.cause()))
        : onHotUnplug(new BusEvents.HotUnplug(m.slot(), true, m.cause()));
  }

  private void startRemove(SlotState s, Cause cause) {
    if (s.state == State.BOUND && s.instance != null) {
      s.state = State.REMOVING;
      drivers.remove(s.instance, s.function, cause);
    } else if (s.state == State.PROBING) {
      s.removeAfterProbe = true;
    } else {
      vacate(s);
      if (s.powerOffAfterRemove) s.slot.device().tell(new PciDeviceActor.SetPresent(false, false));
    }
  }

  /** The slot holds nothing the kernel knows of any more: it leaves sysfs too. */
  private void vacate(SlotState s) {
    s.state = State.EMPTY;
    kernel.sysfs().remove("pci", s.slot.name());
    if (s.plugAfterRemove) {
      s.plugAfterRemove = false;
      ActorRef<HostBound> self = getContext().getSelf();
      // after the removal's own messages (power-off) have gone out
      self.tell(new BusEvents.HotPlug(s.slot.name(), Cause.root("pciehp", kernel.now(),
          "card present again after removal of " + s.slot.name())));
    }
  }

  private Behavior<HostBound> onInterruptBurst(BusEvents.InterruptBurst m) {
    SlotState s = slot(m.slot());
    if (s != null) s.slot.device().tell(new PciDeviceActor.InjectInterrupts(m.count(), m.intervalNanos(), m.cause()));
    return this;
  }

  private Behavior<HostBound> onDeviceStall(BusEvents.DeviceStall m) {
    SlotState s = slot(m.slot());
    if (s != null) s.slot.device().tell(new PciDeviceActor.SetStalled(m.stalled(), m.cause()));
    return this;
  }

  private SlotState slot(String name) {
    try {
      return slotAt(PciAddress.parse(name));
    } catch (IllegalArgumentException e) {
      kernel.printk("pci: hot-plug event for unknown slot " + name + " ignored");
      return null;
    }
  }

  private SlotState slotAt(PciAddress address) {
    int lo = 0;
    int hi = slots.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = slots[mid].slot.address().compareTo(address);
      if (c == 0) return slots[mid];
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  private static String hex4(int v) {
    return String.format("%04x", v);
  }
}
