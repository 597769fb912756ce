package dev.devemu.hw.usb;

import dev.devemu.sim.Cause;
import dev.devemu.spec.usb.UsbSpeed;

/**
 * A TRB on the xHC's event ring, which lives in host memory: the controller writes it, then interrupts; the
 * kernel's interrupt handler ({@code xhci_irq}) reads it.
 */
public sealed interface XhciEvent {
  Cause cause();

  /** A transfer descriptor finished (or was stopped). {@code data} is the payload of a control IN transfer. */
  record Transfer(int slot, int dci, long submission, int code, int length, byte[] data, Cause cause)
      implements XhciEvent {}

  /** A command finished; {@code slot} is the slot an Enable Slot command allocated. */
  record CommandCompletion(long command, int code, int slot, Cause cause) implements XhciEvent {}

  /** A root-hub port's connect status changed (PORTSC.CSC). */
  record PortStatusChange(int port, boolean connected, UsbSpeed speed, Cause cause) implements XhciEvent {}
}
