package dev.devemu.kernel.platform;

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
import dev.devemu.uapi.Errno;
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
 * The platform bus: software devices (a char-device module's device, say) that exist because the kernel says so,
 * matched to drivers by name. Adding a device binds its driver (probe); removing it — {@code
 * platform_device_unregister}, or an unbind through sysfs — runs the driver's remove. There is no surprise
 * removal: the driver always hears first. Its messages stay with the kernel, so they are all local.
 */
public final class PlatformBusActor extends AbstractBehavior<PlatformBusActor.Command> {

  /** Messages the platform bus understands. */
  public interface Command {}

  /** Add every device present at boot and bind drivers. */
  public enum Boot implements Command, LocalOnly, Traceable {
    INSTANCE;

    @Override
    public String traceText() {
      return "PlatformBoot";
    }
  }

  /** platform_device_add: the device appears and its driver is bound (a fault plan's {@code plug}). */
  public record AddDevice(String name, Cause cause) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "PlatformAdd(" + name + ")";
    }
  }

  /** platform_device_unregister: the driver's remove runs, then the device is gone (a fault plan's {@code unplug}). */
  public record RemoveDevice(String name, Cause cause) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "PlatformRemove(" + name + ")";
    }
  }

  private record InstanceReply(DriverInstanceActor.Reply reply) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return Traceable.describe(reply);
    }
  }

  /** A device the scenario declares: its name and whether it exists at boot. */
  public record Slot(String name, boolean presentAtBoot) {}

  private enum State { ABSENT, UNBOUND, PROBING, BOUND, REMOVING }

  private static final class DeviceState {
    final Slot slot;
    State state = State.ABSENT;
    PlatformDevice device;
    DriverEntry<PlatformDevice, String> driver;
    ActorRef<DriverInstanceActor.Command> instance;
    /** A remove asked for while probe ran: done when probe returns. */
    Cause removeAfterProbe;
    /** An add asked for while remove ran: done when remove returns. */
    Cause addAfterRemove;

    DeviceState(Slot slot) {
      this.slot = slot;
    }
  }

  private final Kernel kernel;
  private final DriverCore<PlatformDevice, String> drivers;
  private final TreeMap<String, DeviceState> devices = new TreeMap<>();

  /**
   * @param listener told whenever a binding comes or goes (the testbed counts exposure from it)
   */
  public static Behavior<Command> create(Kernel kernel, List<Slot> slots, List<PlatformDriverEntry> drivers,
      Consumer<BindingChanged> listener) {
    return Behaviors.setup(ctx -> new PlatformBusActor(ctx, kernel, slots, drivers, listener));
  }

  private PlatformBusActor(ActorContext<Command> ctx, Kernel kernel, List<Slot> slots,
      List<PlatformDriverEntry> drivers, Consumer<BindingChanged> listener) {
    super(ctx);
    this.kernel = kernel;
    for (Slot s : slots) devices.put(s.name(), new DeviceState(s));
    this.drivers = new DriverCore<>(kernel, ctx, ctx.messageAdapter(DriverInstanceActor.Reply.class,
        InstanceReply::new), drivers, listener);
  }

  @Override
  public Receive<Command> createReceive() {
    return dev.devemu.sim.LeanReceive.of(this::dispatch);
  }

  private Behavior<Command> dispatch(Command m) {
    if (m instanceof InstanceReply r) return onInstanceReply(r);
    if (m instanceof AddDevice a) return onAdd(a.name(), a.cause());
    if (m instanceof RemoveDevice r) return onRemove(r.name(), r.cause());
    if (m == Boot.INSTANCE) return onBoot();
    return Behaviors.unhandled();
  }

  private Behavior<Command> onBoot() {
    for (DeviceState d : devices.values()) {
      if (d.slot.presentAtBoot()) add(d, Cause.root("platform", kernel.now(), "boot: add " + d.slot.name()));
    }
    return this;
  }

  private Behavior<Command> onAdd(String name, Cause cause) {
    DeviceState d = devices.get(name);
    if (d == null) return this;
    if (d.state == State.REMOVING) {
      d.addAfterRemove = cause;
    } else if (d.state == State.ABSENT) {
      add(d, cause);
    }
    return this;
  }

  private void add(DeviceState d, Cause cause) {
    d.device = new PlatformDevice(d.slot.name());
    d.state = State.UNBOUND;
    kernel.sysfs().add(new Sysfs.Device("platform", d.device.name(), d.device.modalias(), null));
    DriverCore.Probing<PlatformDevice, String> p = drivers.probeNext(d.device, d.device.name(), cause, new int[] {0});
    if (p == null) return;
    d.driver = p.driver();
    d.instance = p.instance();
    d.state = State.PROBING;
  }

  private Behavior<Command> onRemove(String name, Cause cause) {
    DeviceState d = devices.get(name);
    if (d == null) return this;
    switch (d.state) {
      case PROBING -> d.removeAfterProbe = cause;
      case BOUND -> startRemove(d, cause);
      case UNBOUND -> vacate(d);
      case REMOVING -> d.addAfterRemove = null;
      case ABSENT -> { }
    }
    return this;
  }

  private void startRemove(DeviceState d, Cause cause) {
    d.state = State.REMOVING;
    kernel.printk("platform " + d.device + ": removing (unbind " + d.driver.name() + ")");
    drivers.remove(d.instance, d.device, cause);
  }

  private Behavior<Command> onInstanceReply(InstanceReply m) {
    if (m.reply() instanceof DriverInstanceActor.ProbeCompleted p) {
      DeviceState d = devices.get(p.device());
      if (d == null || d.state != State.PROBING) return this;
      if (drivers.probeCompleted(d.driver, d.device, p.result())) {
        d.state = State.BOUND;
        if (d.removeAfterProbe != null) {
          Cause c = d.removeAfterProbe;
          d.removeAfterProbe = null;
          startRemove(d, c);
        }
      } else {
        d.instance = null;
        d.state = State.UNBOUND;
        if (d.removeAfterProbe != null) {
          d.removeAfterProbe = null;
          vacate(d);
        }
      }
    } else if (m.reply() instanceof DriverInstanceActor.RemoveCompleted r) {
      DeviceState d = devices.get(r.device());
      if (d == null || d.state != State.REMOVING) return this;
      drivers.removeCompleted(d.driver, d.device);
      d.instance = null;
      vacate(d);
      if (d.addAfterRemove != null) {
        Cause c = d.addAfterRemove;
        d.addAfterRemove = null;
        add(d, c);
      }
    }
    return this;
  }

  /** The device is gone: it leaves sysfs too. */
  private void vacate(DeviceState d) {
    d.state = State.ABSENT;
    kernel.sysfs().remove("platform", d.slot.name());
    kernel.printk("platform " + d.slot.name() + ": removed");
    d.device = null;
    d.driver = null;
  }
}
