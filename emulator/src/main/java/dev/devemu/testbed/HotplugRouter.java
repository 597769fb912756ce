package dev.devemu.testbed;

import dev.devemu.bus.BusEvents;
import dev.devemu.bus.pci.PciAddress;
import dev.devemu.bus.pci.PciBusActor;
import dev.devemu.bus.usb.UsbBusActor;
import dev.devemu.bus.usb.UsbPort;
import dev.devemu.kernel.Kernel;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Sends a hot-plug event to the bus that owns the slot: a PCI address ({@code 0000:00:02.0}) to the PCI bus, a
 * USB port in Linux's device naming ({@code 1-1}: bus 1, root-hub port 1) to the USB bus.
 */
final class HotplugRouter {
  private HotplugRouter() {}

  /** @param usb the USB bus, or null in a testbed without USB */
  static void route(BusEvents.Event event, ActorRef<PciBusActor.Command> pci, ActorRef<UsbBusActor.Command> usb,
      Kernel kernel) {
    String slot = event.slot();
    try {
      PciAddress.parse(slot);
      pci.tell(event);
      return;
    } catch (IllegalArgumentException notPci) {
      // not a PCI address; maybe a USB port
    }
    if (usb != null && UsbPort.looksLike(slot)) {
      usb.tell(event);
    } else {
      kernel.printk("hotplug: no bus owns slot " + slot);
    }
  }
}
