package dev.devemu.kernel.driver;

import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Owner;
import dev.devemu.sim.Cause;
import dev.devemu.uapi.Errno;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The driver core ({@code drivers/base/dd.c}) as every bus uses it: match a device against the loaded drivers in
 * order, bind the first whose ID table matches and run its probe in a driver instance, report what came of it,
 * and later run its remove. A bus supplies only its matching rule (in its {@link DriverEntry}s) and its own
 * life-cycle — enumeration, hot-plug, the hub — which it keeps in its actor.
 *
 * @param <D> the bus's device
 * @param <M> what the bus's matching rule finds
 */
public final class DriverCore<D extends BindableDevice, M> {
  private final Kernel kernel;
  private final ActorContext<?> bus;
  private final ActorRef<DriverInstanceActor.Reply> replies;
  private final List<? extends DriverEntry<D, M>> drivers;
  private final Consumer<BindingChanged> listener;
  private int instances;

  /** A probe under way: the driver and the instance that runs it (and later its remove). */
  public record Probing<D extends BindableDevice, M>(DriverEntry<D, M> driver,
      ActorRef<DriverInstanceActor.Command> instance) {}

  /**
   * @param bus the bus actor's context: driver instances are its children ({@code pci/drv-my_pcie-1})
   * @param replies where instances report (the bus actor's adapter)
   * @param drivers the loaded drivers, in load order — the order in which they are tried
   * @param listener told whenever a binding comes or goes (the testbed counts exposure from it)
   */
  public DriverCore(Kernel kernel, ActorContext<?> bus, ActorRef<DriverInstanceActor.Reply> replies,
      List<? extends DriverEntry<D, M>> drivers, Consumer<BindingChanged> listener) {
    this.kernel = kernel;
    this.bus = bus;
    this.replies = replies;
    this.drivers = List.copyOf(drivers);
    this.listener = listener;
  }

  public int driverCount() {
    return drivers.size();
  }

  /**
   * driver_attach for one device: tries the drivers from index {@code next[0]} on, moving it past each one tried,
   * binds the first whose ID table matches and starts its probe. With none left, the device belongs to the kernel.
   *
   * @param slot where the fault plan knows the device, if not by its name (a USB interface sits on its port)
   * @return the probe under way, or null when no driver matched
   */
  public Probing<D, M> probeNext(D device, String slot, Cause cause, int[] next) {
    while (next[0] < drivers.size()) {
      DriverEntry<D, M> d = drivers.get(next[0]++);
      M matched = d.match(device);
      if (matched == null) continue;
      Owner owner = new Owner(d.name(), d.variant(), device.name());
      Binding binding = d.bind(device, matched, owner);
      device.owner(owner);
      ActorRef<DriverInstanceActor.Command> instance = bus.spawn(
          DriverInstanceActor.create(kernel, binding, device.name(), slot, replies), "drv-" + d.name() + "-"
              + (++instances), DispatcherSelector.sameAsParent());
      instance.tell(new DriverInstanceActor.ProbeRequest(device.name(), d.name(), cause));
      return new Probing<>(d, instance);
    }
    device.owner(Owner.KERNEL);
    return null;
  }

  /**
   * A probe returned {@code result}: logged as the driver core logs it and told to the listener. A failed probe
   * leaves the device to the kernel.
   *
   * @return true if the driver is now bound
   */
  public boolean probeCompleted(DriverEntry<D, M> driver, D device, int result) {
    if (result == 0) {
      kernel.printk(driver.name() + " " + device.name() + ": bound (" + driver.variant() + ")");
      listener.accept(new BindingChanged(device.name(), driver.name(), driver.variant(), true, 0));
      return true;
    }
    // really_probe() keeps quiet about -ENODEV and -ENXIO: "not my device" is not an error
    if (result != -Errno.ENODEV && result != -Errno.ENXIO) {
      kernel.printk(driver.name() + " " + device.name() + ": probe with driver " + driver.name()
          + " failed with error " + result);
    }
    listener.accept(new BindingChanged(device.name(), driver.name(), driver.variant(), false, result));
    device.owner(Owner.KERNEL);
    return false;
  }

  /** device_release_driver: the bound driver's remove runs. */
  public void remove(ActorRef<DriverInstanceActor.Command> instance, D device, Cause cause) {
    instance.tell(new DriverInstanceActor.RemoveRequest(device.name(), cause));
  }

  /** The remove returned: the binding is gone and the device belongs to the kernel again. */
  public void removeCompleted(DriverEntry<D, M> driver, D device) {
    listener.accept(new BindingChanged(device.name(), driver.name(), driver.variant(), false, 0));
    device.owner(Owner.KERNEL);
  }
}
