package dev.devemu.hw;

import dev.devemu.sim.Cause;
import dev.devemu.sim.Traceable;
import dev.devemu.wire.CrossNode;

/**
 * What the fault plan does to a slot, the same for a PCIe slot and a USB port: hot-plug, link changes, a device
 * that stops answering, spurious interrupts and interrupt storms. The testbed sends each event to the bus that
 * owns the slot; a bus that cannot do one logs it and carries on.
 */
public final class BusEvents {
  private BusEvents() {}

  /**
   * Every event a bus may receive from the fault plan; every bus that has slots understands it (a bus that cannot
   * do one, a USB port asked to stall say, logs it and carries on).
   */
  public interface Event extends CrossNode, Traceable, HostBound {
    String slot();

    Cause cause();
  }

  /** A device appears in {@code slot} (a PCI address or a USB port such as {@code 1-1}). */
  public record HotPlug(String slot, Cause cause) implements Event {
    @Override
    public String traceText() {
      return "HotPlug(" + slot + ")";
    }
  }

  /** A device leaves {@code slot}; {@code surprise} means it is gone before its driver hears of it. */
  public record HotUnplug(String slot, boolean surprise, Cause cause) implements Event {
    @Override
    public String traceText() {
      return "HotUnplug(" + slot + (surprise ? ", surprise" : "") + ")";
    }
  }

  /** The link of a PCIe slot goes down or comes back up (on a USB port: a surprise unplug or a plug). */
  public record LinkChanged(String slot, boolean up, Cause cause) implements Event {
    @Override
    public String traceText() {
      return "LinkChanged(" + slot + (up ? ", up" : ", down") + ")";
    }
  }

  /**
   * The device in {@code slot} signals its interrupt {@code count} times, {@code intervalNanos} apart, with
   * nothing to report: a spurious interrupt ({@code count} 1) or an interrupt storm.
   */
  public record InterruptBurst(String slot, int count, long intervalNanos, Cause cause)
      implements Event {
    @Override
    public String traceText() {
      return "InterruptBurst(" + slot + ", " + count + ")";
    }
  }

  /** The device in {@code slot} stops answering ({@code stalled}) or answers again. */
  public record DeviceStall(String slot, boolean stalled, Cause cause) implements Event {
    @Override
    public String traceText() {
      return "DeviceStall(" + slot + (stalled ? ", stalled" : ", answering") + ")";
    }
  }
}
