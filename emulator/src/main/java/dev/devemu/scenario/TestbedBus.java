package dev.devemu.scenario;

import dev.devemu.kernel.driver.BindingChanged;
import dev.devemu.kernel.driver.DriverEntry;
import java.util.function.Consumer;

/**
 * One bus of a testbed: it collects the devices and drivers the plug-ins give it while the testbed is built,
 * then spawns its actors and, once every bus is up, enumerates. Buses start in {@link BusKind#order()} order.
 */
public interface TestbedBus {
  /**
   * Loads {@code driver} if it is a driver for this bus's devices ({@code pci_register_driver},
   * {@code usb_register}, …).
   *
   * @return false if it is another bus's
   */
  boolean takes(DriverEntry<?, ?> driver);

  /** Whether this testbed needs the bus at all (a machine with nothing on USB has no xHCI controller). */
  boolean inUse();

  /**
   * Spawns the bus's actors and routes the fault plan's events for its slots to them
   * ({@link TestbedBuilder#route}); {@code bindings} hears of every binding that comes or goes.
   */
  void start(Consumer<BindingChanged> bindings);

  /** The machine has booted: enumerate what is present and bind drivers. */
  void boot();
}
