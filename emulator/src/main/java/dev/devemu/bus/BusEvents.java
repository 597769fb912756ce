package dev.devemu.bus;

import dev.devemu.bus.pci.PciBusActor;
import dev.devemu.bus.usb.UsbBusActor;
import dev.devemu.kernel.Cause;
import dev.devemu.sim.Traceable;
import dev.devemu.wire.CrossNode;

/** Hot-plug events, the same for a PCIe slot and a USB port. */
public final class BusEvents {
  private BusEvents() {}

  /** A hot-plug event; every bus that has slots understands it. */
  public sealed interface Event extends PciBusActor.Command, UsbBusActor.Command permits HotPlug, HotUnplug, LinkChanged {
    String slot();
  }

  /** A device appears in {@code slot} (a PCI address or a USB port such as {@code 1-1}). */
  public record HotPlug(String slot, Cause cause) implements Event, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "HotPlug(" + slot + ")";
    }
  }

  /** A device leaves {@code slot}; {@code surprise} means it is gone before its driver hears of it. */
  public record HotUnplug(String slot, boolean surprise, Cause cause) implements Event, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "HotUnplug(" + slot + (surprise ? ", surprise" : "") + ")";
    }
  }

  /** The link of a PCIe slot goes down or comes back up (on a USB port: a surprise unplug or a plug). */
  public record LinkChanged(String slot, boolean up, Cause cause) implements Event, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "LinkChanged(" + slot + (up ? ", up" : ", down") + ")";
    }
  }
}
