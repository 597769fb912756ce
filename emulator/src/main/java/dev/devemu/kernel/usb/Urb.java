package dev.devemu.kernel.usb;

import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Resources;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.KStruct;

/**
 * {@code struct urb} ({@code include/linux/usb.h}) in tracked kernel memory, in Linux's field order. Driver code
 * reads and writes the public fields with {@code Mem.read}/{@code Mem.write} (KASAN and KCSAN see it); the USB
 * core touches the bookkeeping fields with READ_ONCE-style accesses (KASAN only), so a URB used after its last
 * reference was dropped is a use-after-free report naming the field.
 *
 * <p>A URB whose allocation failed has no memory behind it: it is the NULL pointer {@code usb_alloc_urb}
 * returned, and every access through it is a NULL-pointer dereference.
 */
public final class Urb extends KStruct {
  final Field<Integer> kref = field("kref", 4, 1);
  final Field<Integer> unlinked = field("unlinked", 4, 0);
  final Field<Object> hcpriv = field("hcpriv", 8, null);
  final Field<Integer> useCount = field("use_count", 4, 0);
  final Field<Integer> reject = field("reject", 4, 0);
  public final Field<UsbDevice> dev = field("dev", 8, null);
  final Field<UsbHostEndpoint> ep = field("ep", 8, null);
  public final Field<Integer> pipe = field("pipe", 4, 0);
  public final Field<Integer> status = field("status", 4, 0);
  public final Field<Integer> transferFlags = field("transfer_flags", 4, 0);
  public final Field<Allocation> transferBuffer = field("transfer_buffer", 8, null);
  public final Field<Integer> transferBufferLength = field("transfer_buffer_length", 4, 0);
  public final Field<Integer> actualLength = field("actual_length", 4, 0);
  final Field<byte[]> setupPacket = field("setup_packet", 8, null);
  public final Field<Object> context = field("context", 8, null);
  public final Field<UrbCallback> complete = field("complete", 8, null);

  // What the emulator keeps beside the struct (not part of its memory):
  /** The driver whose code the completion handler is (the allocating task's owner, like a module owner). */
  Owner owner = Owner.KERNEL;
  /** The current submission's id (an xHCI TD), 0 when idle. */
  long submission;
  /** The in-flight marker the leak check sees; null when idle. */
  Resources.Handle inFlight;
  /** The device's moments while a driver's submission is in flight (fault plans: with-urbs-in-flight), or null. */
  dev.devemu.fault.Moments.Slot inFlightMoment;
  /** The submitter's release point: its earlier accesses happen before the completion handler (for KCSAN). */
  Object submitted;
  /** Payload of a control transfer: what is sent (OUT) or what came back (IN). Bulk data is not modelled. */
  byte[] controlData;

  Urb() {
    super("struct urb");
  }

  /** True for the NULL pointer a failed usb_alloc_urb returns. */
  public boolean isNull() {
    return allocation() == null;
  }

  /** The owner recorded at allocation (for reports and the leak check). */
  public Owner owner() {
    return owner;
  }
}
