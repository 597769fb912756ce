package dev.devemu.testbed;

import dev.devemu.bus.pci.PciAddress;
import dev.devemu.bus.pci.PciBusActor;
import dev.devemu.kernel.Kernel;
import org.apache.pekko.actor.typed.ActorRef;

/** Sends a hot-plug event to the bus that owns the slot. */
final class HotplugRouter {
  private HotplugRouter() {}

  static void route(String slot, PciBusActor.Command event, ActorRef<PciBusActor.Command> pci, Kernel kernel) {
    try {
      PciAddress.parse(slot);
      pci.tell(event);
    } catch (IllegalArgumentException notPci) {
      kernel.printk("hotplug: no bus owns slot " + slot);
    }
  }
}
