package dev.devemu.driver.samples.bugs;

import dev.devemu.datasheet.BulkUsbDatasheet;
import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.usb.RawUsbDriver;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.sync.Completion;
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
 * my_usb with C habits but corrected: the raw sample ({@code samples.usb.RawMyUsb}) with its allocations and its
 * submission checked and unwound, {@code init_completion} before the first submission, the URBs cancelled with the
 * synchronous {@code usb_kill_urb} at disconnect before anything they use is freed, and a STALL of the IN endpoint
 * logged and left (the halt is not cleared from the completion handler, which may not sleep). With a
 * {@link Defect} it carries exactly one of the mistakes the zoo lists.
 */
public final class ZooUsb implements RawUsbDriver {
  /** The one mistake this instance makes, or none. */
  public enum Defect {
    /** disconnect cancels with the asynchronous usb_unlink_urb(), then frees: the URBs complete afterwards. */
    LATE_URB_COMPLETION,
    /** disconnect forgets to kill its URBs (the driver sets soft_unbind, so the core leaves them running). */
    URBS_NOT_KILLED,
    /** disconnect frees in_buf twice (a copy-paste slip) and never out_buf. */
    DOUBLE_FREE,
    /** init_completion(&dev->done) comes after usb_submit_urb(): a fast completion completes a zeroed one. */
    COMPLETION_BEFORE_INIT,
    /** kmalloc's result for in_buf is not checked. */
    UNCHECKED_ALLOC,
    /** the IN completion handler clears a STALL with the sleeping usb_clear_halt() (interrupt context). */
    SLEEP_IN_COMPLETION,
    /** disconnect re-arms {@code done} after killing the URBs and waits for it: nothing will complete it. */
    WAIT_FOR_NOTHING
  }

  static final int TRANSFER = 4096;
  static final int ERROR_BURST = 10;
  static final List<UsbDeviceId> ID_TABLE = List.of(UsbDeviceId.device(BulkUsbDatasheet.VENDOR, BulkUsbDatasheet.PRODUCT));

  /** {@code struct my_usb}. */
  static final class Data extends KStruct {
    final Field<UsbDevice> udev = field("udev", 8, null);
    final Field<Urb> inUrb = field("in_urb", 8, null);
    final Field<Urb> outUrb = field("out_urb", 8, null);
    final Field<Allocation> inBuf = field("in_buf", 8, null);
    final Field<Allocation> outBuf = field("out_buf", 8, null);
    final Field<Long> inCount = field("in_count", 8, 0L);
    final Field<Long> outCount = field("out_count", 8, 0L);
    final Field<Integer> outBusy = field("out_busy", 4, 0);
    final Field<Integer> errors = field("errors", 4, 0);
    final Field<Completion> done = field("done", 32, Completion.uninitialized("my_usb.done"));

    Data() {
      super("struct my_usb");
    }
  }

  private final Defect defect;
  private final UrbCallback inComplete;
  private final UrbCallback outComplete;

  /** @param defect the mistake to make, or null for the corrected driver */
  public ZooUsb(Defect defect) {
    this.defect = defect;
    this.inComplete = new UrbCallback("my_usb_in_complete", this::inComplete);
    this.outComplete = new UrbCallback("my_usb_out_complete", this::outComplete);
  }

  private boolean has(Defect d) {
    return defect == d;
  }

  @Override
  public String name() {
    return "my_usb";
  }

  @Override
  public List<UsbDeviceId> idTable() {
    return ID_TABLE;
  }

  @Override
  public boolean softUnbind() {
    return true;
  }

  @Override
  public Op<Integer> probe(UsbInterface intf, UsbDeviceId id) {
    UsbDevice udev = UsbCore.interfaceToUsbDev(intf);
    Data d = new Data();
    Urb[] urbs = new Urb[2];
    Allocation[] bufs = new Allocation[2];
    if (udev.speed() != UsbSpeed.SUPER_PLUS) {
      return Printk.err("my_usb: Unsupported USB speed: " + udev.speed().linuxName()).then(Op.rc(-Errno.ENODEV));
    }
    // One label of the goto ladder: frees whatever was allocated (usb_free_urb and kfree take NULL).
    Op<Integer> unwind = Op.defer(() -> (urbs[0] != null ? UsbCore.freeUrb(urbs[0]) : Op.<Void>done())
        .then(v -> urbs[1] != null ? UsbCore.freeUrb(urbs[1]) : Op.<Void>done())
        .then(v -> bufs[0] != null ? Mem.kfree(bufs[0]) : Op.<Void>done())
        .then(v -> bufs[1] != null ? Mem.kfree(bufs[1]) : Op.<Void>done())
        .then(v -> Mem.kfree(d)).then(Op.rc(-Errno.ENOMEM)));
    return Printk.info("my_usb: Probing USB device " + intf.name())
        .then(Mem.kzalloc(d)).then(s -> s.allocation() == null ? Op.rc(-Errno.ENOMEM)
            // COMPLETION_BEFORE_INIT moves this line below the submission.
            : (has(Defect.COMPLETION_BEFORE_INIT) ? Op.<Void>done() : Mem.read(d.done).then(Completion::init))
            .then(v -> UsbCore.allocUrb()).then(u -> {
              urbs[0] = u;
              return Mem.kmalloc(TRANSFER, "my_usb in_buf");
            }).then(b -> {
              bufs[0] = b;
              return UsbCore.allocUrb();
            }).then(u -> {
              urbs[1] = u;
              return Mem.kmalloc(TRANSFER, "my_usb out_buf");
            }).then(b -> {
              bufs[1] = b;
              // A failed usb_alloc_urb is the NULL URB (urb.isNull()), never Java null; kmalloc's NULL is null.
              boolean failed = urbs[0].isNull() || urbs[1].isNull() || bufs[1] == null
                  || (bufs[0] == null && !has(Defect.UNCHECKED_ALLOC));
              return failed ? unwind : started(intf, udev, d, urbs, bufs);
            }));
  }

  private Op<Integer> started(UsbInterface intf, UsbDevice udev, Data d, Urb[] urbs, Allocation[] bufs) {
    return Mem.write(d.udev, udev)
        .then(v -> Mem.write(d.inUrb, urbs[0]))
        .then(v -> Mem.write(d.outUrb, urbs[1]))
        .then(v -> Mem.write(d.inBuf, bufs[0]))
        .then(v -> Mem.write(d.outBuf, bufs[1]))
        .then(v -> UsbCore.fillBulkUrb(urbs[0], udev, UsbPipe.rcvBulk(udev, 1), bufs[0], TRANSFER, inComplete, d))
        .then(v -> UsbCore.fillBulkUrb(urbs[1], udev, UsbPipe.sndBulk(udev, 2), bufs[1], TRANSFER, outComplete, d))
        .then(v -> UsbCore.setIntfData(intf, d))
        .then(v -> UsbCore.submitUrb(urbs[0]))
        .then(rc -> (has(Defect.COMPLETION_BEFORE_INIT) ? Mem.read(d.done).then(Completion::init) : Op.<Void>done())
            .then(v -> rc < 0 ? UsbCore.setIntfData(intf, null).then(UsbCore.freeUrb(urbs[0]))
                .then(UsbCore.freeUrb(urbs[1])).then(Mem.kfree(bufs[0])).then(Mem.kfree(bufs[1])).then(Mem.kfree(d))
                .then(Op.rc(rc))
                : Printk.info("my_usb: Probe succeeded for " + intf.name()).then(Op.rc(0))));
  }

  /** The IN completion handler (interrupt context). */
  private Op<Void> inComplete(Urb urb) {
    return Mem.read(urb.context).then(ctx -> {
      Data d = (Data) ctx;
      return Mem.read(urb.status).then(status -> Mem.read(d.done).then(done -> done.complete()).then(v -> {
        if (status == 0) return consume(d, urb);
        if (status == -Errno.ENOENT || status == -Errno.ECONNRESET || status == -Errno.ESHUTDOWN) {
          return Op.<Void>done();
        }
        if (status == -Errno.EPIPE) {
          if (!has(Defect.SLEEP_IN_COMPLETION)) {
            return Printk.err("my_usb: IN endpoint stalled; stopping").map(x -> null);
          }
          return noteError(d, status).then(x -> Mem.read(d.udev))
              .then(udev -> UsbCore.clearHalt(udev, UsbPipe.rcvBulk(udev, 1)))
              .then(rc -> UsbCore.submitUrb(urb)).map(rc -> null);
        }
        return noteError(d, status).then(x -> UsbCore.submitUrb(urb)).map(rc -> null);
      }));
    });
  }

  private Op<Void> consume(Data d, Urb urb) {
    return Mem.read(urb.actualLength)
        .then(len -> Mem.read(d.inBuf).then(buf -> Mem.touch(buf, 0, len, false, "my_usb in_buf")))
        .then(v -> Mem.read(d.inCount)).then(n -> Mem.write(d.inCount, n + 1))
        .then(v -> Mem.read(d.outBusy)).then(busy -> busy != 0 ? Op.<Void>done() : Mem.write(d.outBusy, 1)
            .then(x -> Mem.read(d.outBuf)).then(ob -> Mem.touch(ob, 0, TRANSFER, true, "my_usb out_buf"))
            .then(x -> Mem.read(d.outUrb)).then(UsbCore::submitUrb)
            .then(rc -> rc < 0 ? Mem.write(d.outBusy, 0) : Op.<Void>done()))
        .then(v -> UsbCore.submitUrb(urb)).map(rc -> null);
  }

  private Op<Void> outComplete(Urb urb) {
    return Mem.read(urb.context).then(ctx -> {
      Data d = (Data) ctx;
      return Mem.read(urb.status).then(status -> {
        Op<Void> account = status == 0 ? Mem.read(d.outCount).then(n -> Mem.write(d.outCount, n + 1))
            : status == -Errno.ENOENT || status == -Errno.ECONNRESET || status == -Errno.ESHUTDOWN ? Op.done()
                : noteError(d, status);
        return account.then(v -> Mem.write(d.outBusy, 0));
      });
    });
  }

  private static Op<Void> noteError(Data d, int status) {
    return Mem.read(d.errors).then(n -> Mem.write(d.errors, n + 1).then(v -> n < ERROR_BURST
        ? Printk.err("my_usb: URB completed with status " + status) : Op.<Void>done()));
  }

  @Override
  public Op<Void> disconnect(UsbInterface intf) {
    return UsbCore.getIntfData(intf).then(o -> {
      Data d = (Data) o;
      Op<Void> cancel = has(Defect.URBS_NOT_KILLED) ? Op.done()
          : has(Defect.LATE_URB_COMPLETION)
              ? Mem.read(d.inUrb).then(UsbCore::unlinkUrb).then(v -> Mem.read(d.outUrb)).then(UsbCore::unlinkUrb)
                  .map(v -> null)
              : Mem.read(d.inUrb).then(UsbCore::killUrb).then(v -> Mem.read(d.outUrb)).then(UsbCore::killUrb);
      Op<Void> waitLast = !has(Defect.WAIT_FOR_NOTHING) ? Op.done()
          // "make sure the last IN completion has run": re-armed after the kill, so nobody completes it.
          : Mem.read(d.done).then(done -> done.init().then(done.waitForCompletion()));
      return Printk.info("my_usb: Disconnecting USB device")
          .then(cancel)
          .then(waitLast)
          .then(v -> Mem.read(d.inUrb)).then(UsbCore::freeUrb)
          .then(v -> Mem.read(d.outUrb)).then(UsbCore::freeUrb)
          .then(v -> Mem.read(d.inBuf)).then(Mem::kfree)
          .then(v -> Mem.read(has(Defect.DOUBLE_FREE) ? d.inBuf : d.outBuf)).then(Mem::kfree)
          .then(v -> UsbCore.setIntfData(intf, null))
          .then(v -> Mem.kfree(d))
          .then(v -> Printk.info("my_usb: Disconnect completed"));
    });
  }
}
