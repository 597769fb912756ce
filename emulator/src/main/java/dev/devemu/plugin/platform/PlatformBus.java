package dev.devemu.plugin.platform;

import dev.devemu.hw.BusEvents;
import dev.devemu.kernel.driver.BindingChanged;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.kernel.platform.PlatformBusActor;
import dev.devemu.kernel.platform.PlatformDriverEntry;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.TestbedBus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The platform bus of a testbed: software devices that exist because the kernel (a board file, the device tree)
 * says so, matched to drivers by name. Started only when the scenario declares such a device.
 */
public final class PlatformBus implements TestbedBus {
  private final TestbedBuilder testbed;
  private final List<PlatformBusActor.Slot> devices = new ArrayList<>();
  private final List<PlatformDriverEntry> drivers = new ArrayList<>();
  private ActorRef<PlatformBusActor.Command> bus;

  PlatformBus(TestbedBuilder testbed) {
    this.testbed = testbed;
  }

  /**
   * Declares a platform device (matched to a driver by name); present at boot, it is added and bound then. Its name
   * is its slot for the fault plan: {@code unplug} unregisters it (the driver's remove runs), {@code plug} adds it.
   */
  public void addDevice(String name, boolean presentAtBoot) {
    devices.add(new PlatformBusActor.Slot(name, presentAtBoot));
  }

  public void addDriver(PlatformDriverEntry driver) {
    drivers.add(driver);
  }

  @Override
  public boolean takes(DriverEntry<?, ?> driver) {
    if (!(driver instanceof PlatformDriverEntry d)) return false;
    addDriver(d);
    return true;
  }

  @Override
  public boolean inUse() {
    return !devices.isEmpty();
  }

  @Override
  public void start(Consumer<BindingChanged> bindings) {
    bus = testbed.spawn(PlatformBusActor.create(testbed.kernel(), devices, drivers, bindings), "platform");
    // A platform device has no link: plug adds it, an unplug of either kind unregisters it (the loader allows only
    // these actions on it).
    ActorRef<PlatformBusActor.Command> to = bus;
    for (PlatformBusActor.Slot s : devices) {
      testbed.route(s.name(), e -> to.tell(e instanceof BusEvents.HotPlug
          ? new PlatformBusActor.AddDevice(s.name(), e.cause()) : new PlatformBusActor.RemoveDevice(s.name(), e.cause())));
    }
  }

  @Override
  public void boot() {
    bus.tell(PlatformBusActor.Boot.INSTANCE);
  }
}
