package dev.devemu.plugin.usb;

import dev.devemu.hw.HostBound;
import dev.devemu.hw.usb.UsbDeviceActor;
import dev.devemu.hw.usb.UsbDeviceModel;
import dev.devemu.hw.usb.XhciActor;
import dev.devemu.hw.usb.XhciEventRing;
import dev.devemu.kernel.driver.BindingChanged;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.kernel.usb.UsbBusActor;
import dev.devemu.kernel.usb.UsbDriverEntry;
import dev.devemu.kernel.usb.UsbHcd;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.TestbedBus;
import dev.devemu.spec.usb.UsbPort;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * USB in a testbed: the devices on the root hub's ports (hardware, {@link UsbDeviceActor}), the xHCI host
 * controller ({@link XhciActor}), and the kernel's HCD and USB bus with the hub driver ({@link UsbBusActor}).
 * Started only when the scenario has a USB device or driver.
 */
public final class UsbBus implements TestbedBus {
  private final TestbedBuilder testbed;
  private final List<UsbBusActor.Slot> slots = new ArrayList<>();
  private final List<UsbDriverEntry> drivers = new ArrayList<>();
  private ActorRef<HostBound> bus;

  UsbBus(TestbedBuilder testbed) {
    this.testbed = testbed;
  }

  /**
   * Plugs a USB device model into a root-hub port. The device decides the fault points {@code usb_stall},
   * {@code usb_babble} and {@code usb_transaction_error} through the kernel's fault plan.
   */
  public ActorRef<UsbDeviceActor.Command> addDevice(UsbPort port, UsbDeviceModel model, boolean presentAtBoot) {
    String name = port.toString();
    // A device in a time domain of its own keeps its domain's time and draws no fault points: they live in the
    // kernel's fault plan, in the guest's domain across the link (the loader refuses plans that ask for them).
    java.util.function.BiPredicate<String, String> faults = testbed.inOwnDomain(name) ? (point, where) -> false
        : testbed.kernel().faults()::inject;
    ActorRef<UsbDeviceActor.Command> ref = testbed.spawnDevice(name, UsbDeviceActor.create(port, model,
        testbed.deviceClock(name), () -> testbed.random("usb:" + name), faults), "usb-" + name);
    if (!presentAtBoot) ref.tell(new UsbDeviceActor.SetPresent(false));
    slots.add(new UsbBusActor.Slot(port, ref, model.speed(), presentAtBoot));
    return ref;
  }

  public void addDriver(UsbDriverEntry driver) {
    drivers.add(driver);
  }

  @Override
  public boolean takes(DriverEntry<?, ?> driver) {
    if (!(driver instanceof UsbDriverEntry d)) return false;
    addDriver(d);
    return true;
  }

  @Override
  public boolean inUse() {
    return !slots.isEmpty() || !drivers.isEmpty();
  }

  /** The xHCI controller, its kernel driver and the USB bus with the devices on its root-hub ports. */
  @Override
  public void start(Consumer<BindingChanged> bindings) {
    XhciEventRing ring = new XhciEventRing();
    UsbHcd hcd = new UsbHcd(testbed.kernel(), ring);
    TreeMap<Integer, ActorRef<UsbDeviceActor.Command>> byPort = new TreeMap<>();
    for (UsbBusActor.Slot s : slots) byPort.put(s.port().port(), s.device());
    ActorRef<XhciActor.Command> xhci = testbed.spawn(XhciActor.create(testbed.host(), ring, testbed.irqChip(), byPort),
        "xhci");
    bus = testbed.spawn(UsbBusActor.create(testbed.kernel(), hcd, xhci, slots, drivers,
        testbed.scenario().machine().hotplugDetectionNanos(), bindings), "usb");
    hcd.attach(xhci, bus);
    ActorRef<HostBound> to = bus;
    for (UsbBusActor.Slot s : slots) testbed.route(s.port().toString(), to::tell);
  }

  @Override
  public void boot() {
    bus.tell(UsbBusActor.Boot.INSTANCE);
  }
}
