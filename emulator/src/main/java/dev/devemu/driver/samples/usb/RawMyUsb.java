package dev.devemu.driver.samples.usb;

import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.usb.RawUsbDriver;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.usb.Urb;
import dev.devemu.kernel.usb.UrbCallback;
import dev.devemu.kernel.usb.UsbCore;
import dev.devemu.kernel.usb.UsbDevice;
import dev.devemu.kernel.usb.UsbDeviceId;
import dev.devemu.kernel.usb.UsbInterface;
import dev.devemu.kernel.usb.UsbPipe;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import java.util.List;

/**
 * my_usb written with C habits, following the article's structure (speed check, IN and OUT URBs of 4096 bytes,
 * a completion signalled by every IN completion, cancel-and-wait at disconnect). Like usb-storage it sets
 * {@code soft_unbind}: it cancels its own URBs at disconnect. Its bugs are ordinary ones:
 * <ol>
 *   <li>the results of usb_alloc_urb, kmalloc and kzalloc are not checked: when one fails (fault point
 *       {@code kmalloc}) probe dereferences NULL (usb_fill_bulk_urb on a NULL URB, or a NULL {@code dev});</li>
 *   <li>{@code init_completion(&dev->done)} comes after {@code usb_submit_urb(dev->in_urb)}: a fast IN completion,
 *       on the CPU that takes the xHCI interrupt, calls complete() on a completion that is still zeroed — a
 *       NULL-pointer dereference in my_usb_in_complete (the race the article says Rust rules out);</li>
 *   <li>usb_submit_urb's result is ignored, in probe and in the completion handlers: if the IN submission fails
 *       (fault point {@code usb_submit_urb}) probe still returns 0, nothing ever streams, and disconnect waits the
 *       full 5 s for a completion that cannot come (-ETIMEDOUT, logged);</li>
 *   <li>disconnect cancels with usb_unlink_urb, which is asynchronous, then waits on {@code dev->done} — which
 *       every IN completion has signalled and nobody re-armed, so the wait returns at once — and frees the
 *       buffers, the URBs and {@code dev}. On an orderly removal (the device still attached, so the core leaves a
 *       soft-unbind driver's URBs alone) the unlinked URBs complete afterwards: their handlers read freed
 *       {@code dev} (KASAN slab-use-after-free in my_usb_in_complete or my_usb_out_complete), or the URBs are
 *       still in flight when disconnect returns (leak report).</li>
 * </ol>
 * Shared with the safe variant (see {@link MyUsb}): a STALL on the IN endpoint is cleared
 * with usb_clear_halt() from the IN completion handler — a control transfer that sleeps, called in interrupt
 * context: "BUG: sleeping function called from invalid context" (the kernel bug class of synchronous USB calls made
 * from completion handlers). Only a STALL (fault point {@code usb_stall}) gets there. Rust would not have prevented
 * it: a completion callback's context is in no type ({@link SafeMyUsb} keeps it).
 */
public final class RawMyUsb implements RawUsbDriver {
  static final UrbCallback IN_COMPLETE = new UrbCallback("my_usb_in_complete", RawMyUsb::inComplete);
  static final UrbCallback OUT_COMPLETE = new UrbCallback("my_usb_out_complete", RawMyUsb::outComplete);

  @Override
  public String name() {
    return MyUsb.NAME;
  }

  @Override
  public List<UsbDeviceId> idTable() {
    return MyUsb.ID_TABLE;
  }

  @Override
  public boolean softUnbind() {
    return true;
  }

  @Override
  public Op<Integer> probe(UsbInterface intf, UsbDeviceId id) {
    UsbDevice udev = UsbCore.interfaceToUsbDev(intf);
    MyUsbData d = new MyUsbData();
    Urb[] urbs = new Urb[2];
    Allocation[] bufs = new Allocation[2];
    Op<Void> hello = Printk.info("my_usb: Probing USB device " + intf.name() + " (vendor 0x" + MyUsb.hex(id.idVendor())
        + ", product 0x" + MyUsb.hex(id.idProduct()) + ")");
    if (udev.speed() != UsbSpeed.SUPER_PLUS) {
      return hello.then(Printk.err("my_usb: Unsupported USB speed: " + udev.speed().linuxName()))
          .then(Op.rc(-Errno.ENODEV));
    }
    return hello
        .then(UsbCore.allocUrb()).then(u -> {
          urbs[0] = u;
          return Mem.kmalloc(MyUsb.TRANSFER, "my_usb in_buf");
        }).then(b -> {
          bufs[0] = b;
          return UsbCore.allocUrb();
        }).then(u -> {
          urbs[1] = u;
          return Mem.kmalloc(MyUsb.TRANSFER, "my_usb out_buf");
        }).then(b -> {
          bufs[1] = b;
          return Mem.kzalloc(d); // bug 1: none of these results is checked
        })
        .then(v -> Mem.write(d.udev, udev))
        .then(v -> Mem.write(d.inUrb, urbs[0]))
        .then(v -> Mem.write(d.outUrb, urbs[1]))
        .then(v -> Mem.write(d.inBuf, bufs[0]))
        .then(v -> Mem.write(d.outBuf, bufs[1]))
        .then(v -> UsbCore.fillBulkUrb(urbs[0], udev, UsbPipe.rcvBulk(udev, 1), bufs[0], MyUsb.TRANSFER, IN_COMPLETE, d))
        .then(v -> UsbCore.fillBulkUrb(urbs[1], udev, UsbPipe.sndBulk(udev, 2), bufs[1], MyUsb.TRANSFER, OUT_COMPLETE, d))
        .then(v -> UsbCore.submitUrb(urbs[0]))                      // bug 3: the result is ignored
        .then(rc -> UsbCore.setIntfData(intf, d))
        .then(Printk.info("my_usb: Probe succeeded for " + intf.name()))
        .then(Mem.read(d.done)).then(done -> done.init())           // bug 2: after the submit
        .then(Op.rc(0));
  }

  /** The IN completion handler (interrupt context). */
  static Op<Void> inComplete(Urb urb) {
    return Mem.read(urb.context).then(ctx -> {
      MyUsbData d = (MyUsbData) ctx;
      return Mem.read(urb.status).then(status -> Mem.read(d.done).then(done -> done.complete()).then(v -> {
        if (status == 0) return consume(d, urb);
        if (MyUsb.cancelled(status)) return Op.<Void>done();
        if (status == -Errno.EPIPE) {
          // shared bug: usb_clear_halt sleeps, and this is the completion handler (interrupt context)
          return noteError(d, status, "IN").then(x -> Mem.read(d.udev))
              .then(udev -> UsbCore.clearHalt(udev, UsbPipe.rcvBulk(udev, 1)))
              .then(rc -> UsbCore.submitUrb(urb)).map(rc -> null);
        }
        return noteError(d, status, "IN").then(x -> UsbCore.submitUrb(urb)).map(rc -> null);
      }));
    });
  }

  /** Reads the record, echoes it on the OUT endpoint if that is idle, and resubmits; errors are not checked. */
  private static Op<Void> consume(MyUsbData d, Urb urb) {
    return Mem.read(urb.actualLength)
        .then(len -> Mem.read(d.inBuf).then(buf -> Mem.touch(buf, 0, len, false, "my_usb in_buf")))
        .then(v -> Mem.read(d.inCount)).then(n -> Mem.write(d.inCount, n + 1))
        .then(v -> Mem.read(d.outBusy)).then(busy -> busy != 0 ? Op.<Void>done() : Mem.write(d.outBusy, 1)
            .then(x -> Mem.read(d.outBuf)).then(ob -> Mem.touch(ob, 0, MyUsb.TRANSFER, true, "my_usb out_buf"))
            .then(x -> Mem.read(d.outUrb)).then(UsbCore::submitUrb).map(rc -> null))
        .then(v -> UsbCore.submitUrb(urb)).map(rc -> null);
  }

  /** The OUT completion handler. */
  static Op<Void> outComplete(Urb urb) {
    return Mem.read(urb.context).then(ctx -> {
      MyUsbData d = (MyUsbData) ctx;
      return Mem.read(urb.status).then(status -> {
        Op<Void> account = status == 0 ? Mem.read(d.outCount).then(n -> Mem.write(d.outCount, n + 1))
            : MyUsb.cancelled(status) ? Op.done() : noteError(d, status, "OUT");
        return account.then(v -> Mem.write(d.outBusy, 0));
      });
    });
  }

  private static Op<Void> noteError(MyUsbData d, int status, String dir) {
    return Mem.read(d.errors).then(n -> Mem.write(d.errors, n + 1).then(v -> n < MyUsb.ERROR_BURST
        ? Printk.err("my_usb: " + dir + " URB completed with status " + status) : Op.<Void>done()));
  }

  @Override
  public Op<Void> disconnect(UsbInterface intf) {
    return UsbCore.getIntfData(intf).then(o -> {
      MyUsbData d = (MyUsbData) o;
      return Printk.info("my_usb: Disconnecting USB device")
          .then(Mem.read(d.inUrb)).then(UsbCore::unlinkUrb)        // bug 4: asynchronous ...
          .then(v -> Mem.read(d.outUrb)).then(UsbCore::unlinkUrb)
          .then(v -> Mem.read(d.done))                              // ... and done was signalled long ago
          .then(done -> done.waitForCompletionTimeout(MyUsb.DISCONNECT_TIMEOUT_NANOS))
          .then(left -> left == 0 ? Printk.err("my_usb: Timeout waiting for URB completion") : Op.<Void>done())
          .then(v -> Mem.read(d.inUrb)).then(UsbCore::freeUrb)
          .then(v -> Mem.read(d.outUrb)).then(UsbCore::freeUrb)
          .then(v -> Mem.read(d.inBuf)).then(Mem::kfree)
          .then(v -> Mem.read(d.outBuf)).then(Mem::kfree)
          .then(v -> UsbCore.setIntfData(intf, null))
          .then(v -> Mem.kfree(d))
          .then(v -> Printk.info("my_usb: Disconnect completed"));
    });
  }
}
