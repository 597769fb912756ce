package dev.devemu.hw.usb;

import java.util.ArrayDeque;

/**
 * The event ring and interrupter 0's pending flag (IMAN.IP), shared by the controller (which appends and raises
 * an MSI when the flag was clear) and the kernel's interrupt handler (which clears the flag, then drains). Both
 * run on the testbed's lane, one delivery at a time, as a device's DMA writes and a CPU's reads interleave.
 */
public final class XhciEventRing {
  private final ArrayDeque<XhciEvent> events = new ArrayDeque<>();
  private boolean interruptPending;

  void add(XhciEvent e) {
    events.add(e);
  }

  public XhciEvent poll() {
    return events.poll();
  }

  public boolean isEmpty() {
    return events.isEmpty();
  }

  public int size() {
    return events.size();
  }

  public boolean interruptPending() {
    return interruptPending;
  }

  public void interruptPending(boolean on) {
    interruptPending = on;
  }
}
