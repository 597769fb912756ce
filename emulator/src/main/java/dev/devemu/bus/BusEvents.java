package dev.devemu.bus;

import dev.devemu.bus.pci.PciBusActor;
import dev.devemu.kernel.Cause;
import dev.devemu.sim.Traceable;
import dev.devemu.wire.CrossNode;

/** Hot-plug events, the same for a PCIe slot and a USB port. */
public final class BusEvents {
  private BusEvents() {}

  /** A device appears in {@code slot} (a PCI address or a USB port such as {@code usb1-1}). */
  public record HotPlug(String slot, Cause cause) implements PciBusActor.Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "HotPlug(" + slot + ")";
    }
  }

  /** A device leaves {@code slot}; {@code surprise} means it is gone before its driver hears of it. */
  public record HotUnplug(String slot, boolean surprise, Cause cause) implements PciBusActor.Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "HotUnplug(" + slot + (surprise ? ", surprise" : "") + ")";
    }
  }

  /** The link of a PCIe slot goes down or comes back up. */
  public record LinkChanged(String slot, boolean up, Cause cause) implements PciBusActor.Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "LinkChanged(" + slot + (up ? ", up" : ", down") + ")";
    }
  }
}
