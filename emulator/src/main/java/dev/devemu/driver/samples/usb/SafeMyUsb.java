package dev.devemu.driver.samples.usb;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.SafeCompletion;
import dev.devemu.driver.api.usb.CompletedUrb;
import dev.devemu.driver.api.usb.SafeUrb;
import dev.devemu.driver.api.usb.SafeUsbDriver;
import dev.devemu.driver.api.usb.SafeUsbInterface;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.usb.UsbDeviceId;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import java.util.List;

/**
 * my_usb written with Rust's discipline, as the article's {@code impl UsbDriver for MyUsbDriver}: every fallible
 * call is handled ({@code ?} or an explicit match), the completion exists — initialised — before any URB can
 * complete, URBs are owned handles that the binding kills before it frees anything, cancellation is synchronous
 * (usb_kill_urb), and the disconnect wait is bounded. The completion signals "the IN URB was cancelled", so the
 * 5 s wait only expires when there was nothing left to cancel (the stream had stopped: a halt that could not be
 * cleared): disconnect then returns {@code Err(ETIMEDOUT)}, which is logged, and nothing is touched after it is
 * freed.
 *
 * <p>Shared with the raw variant (see {@link MyUsb}): a STALL (-EPIPE) on the IN endpoint is cleared with
 * {@code SafeUrb::clear_halt()} from the IN completion handler, which runs in interrupt context; the call is a
 * synchronous control transfer that sleeps (the kernel bug class of synchronous USB calls — usb_clear_halt,
 * usb_control_msg, usb_kill_urb — made from completion handlers). Only a STALL gets there. Not prevented by Rust:
 * the execution context is not part of any type, so a sleeping function called from an atomic callback compiles;
 * the kernel's might_sleep() reports it at run time (on a real machine, "scheduling while atomic").
 */
public final class SafeMyUsb implements SafeUsbDriver<SafeMyUsb.Data> {
  /** Per-interface data: counters in tracked memory, plus the owned URBs and the completion. */
  public static final class Data extends KStruct {
    final Field<Long> inCount = field("in_count", 8, 0L);
    final Field<Long> outCount = field("out_count", 8, 0L);
    final Field<Integer> outBusy = field("out_busy", 4, 0);
    final Field<Integer> errors = field("errors", 4, 0);
    final SafeUrb in;
    final SafeUrb out;
    final SafeCompletion done;

    Data(SafeUrb in, SafeUrb out, SafeCompletion done) {
      super("struct my_usb_data");
      this.in = in;
      this.out = out;
      this.done = done;
    }
  }

  private record Urbs(SafeUrb in, SafeUrb out) {}

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
  public Fallible<Data> probe(SafeUsbInterface intf, UsbDeviceId id) {
    return Fallible.lift(Printk.info("my_usb: Probing USB device " + intf.name() + " (vendor 0x"
            + MyUsb.hex(id.idVendor()) + ", product 0x" + MyUsb.hex(id.idProduct()) + ")"))
        .andThen(v -> intf.speed() == UsbSpeed.SUPER_PLUS ? Fallible.<Void>ok(null)
            : Fallible.lift(Printk.err("my_usb: Unsupported USB speed: " + intf.speed().linuxName()))
                .<Void>andThen(x -> Fallible.err(Errno.ENODEV)))
        .andThen(v -> intf.allocBulkUrb(MyUsb.EP_IN, MyUsb.TRANSFER)
            .onErr(e -> Printk.err("my_usb: Failed to allocate IN URB: " + Errno.describe(-e)))
            .mapErr(e -> Errno.ENOMEM))
        .andThen(in -> intf.allocBulkUrb(MyUsb.EP_OUT, MyUsb.TRANSFER)
            .onErr(e -> Printk.err("my_usb: Failed to allocate OUT URB: " + Errno.describe(-e)))
            .mapErr(e -> Errno.ENOMEM)
            .map(out -> new Urbs(in, out)))
        .andThen(u -> intf.kzalloc(new Data(u.in(), u.out(), new SafeCompletion("my_usb.done"))))
        .andThen(d -> Fallible.lift(d.in.onComplete("my_usb_in_complete", c -> inComplete(d, c))
            .then(d.out.onComplete("my_usb_out_complete", c -> outComplete(d, c)))).map(v -> d))
        .andThen(d -> d.in.submit()
            .onErr(e -> Printk.err("my_usb: Failed to submit IN URB: " + Errno.describe(-e)))
            .mapErr(e -> Errno.EIO)
            .map(v -> d))
        .andThen(d -> Fallible.lift(Printk.info("my_usb: Probe succeeded for " + intf.name())).map(v -> d));
  }

  static Op<Void> inComplete(Data d, CompletedUrb c) {
    return c.result().then(r -> {
      if (r instanceof KResult.Ok<Integer> ok) {
        int len = ok.value();
        return c.readData(len).op()
            .then(v -> Mem.read(d.inCount)).then(n -> Mem.write(d.inCount, n + 1))
            .then(v -> echo(d, len))
            .then(v -> resubmit(d, c));
      }
      int errno = ((KResult.Err<Integer>) r).errno();
      if (MyUsb.cancelled(-errno)) return d.done.complete();
      if (errno == Errno.EPIPE) {
        // The endpoint stays halted until usb_clear_halt. Shared bug: it sleeps, and this is interrupt context.
        return noteError(d, -errno, "IN").then(v -> c.urb().clearHalt().op())
            .then(cleared -> cleared.isOk() ? resubmit(d, c)
                : Printk.err("my_usb: IN endpoint stalled, cannot clear the halt: " + cleared.describe())
                    .then(d.done.complete()));
      }
      return noteError(d, -errno, "IN").then(v -> resubmit(d, c));
    });
  }

  /**
   * Resubmits the IN URB. A refused resubmission means the URB is being killed or the device is gone: the stream
   * has ended, which is what disconnect waits for, so it is signalled like a cancellation.
   */
  private static Op<Void> resubmit(Data d, CompletedUrb c) {
    return c.resubmit().op().then(res -> res.isOk() ? Op.<Void>done() : d.done.complete());
  }

  /** Echoes a record on the OUT endpoint when it is idle; a failed submission leaves it idle. */
  private static Op<Void> echo(Data d, int len) {
    return Mem.read(d.outBusy).then(busy -> busy != 0 ? Op.<Void>done() : Mem.write(d.outBusy, 1)
        .then(v -> d.out.writeData(len).andThen(x -> d.out.submit(len)).op())
        .then(res -> res.isOk() ? Op.<Void>done() : Mem.write(d.outBusy, 0)));
  }

  static Op<Void> outComplete(Data d, CompletedUrb c) {
    return c.result().then(r -> {
      Op<Void> account;
      if (r.isOk()) account = Mem.read(d.outCount).then(n -> Mem.write(d.outCount, n + 1));
      else {
        int errno = ((KResult.Err<Integer>) r).errno();
        account = MyUsb.cancelled(-errno) ? Op.done() : noteError(d, -errno, "OUT");
      }
      return account.then(v -> Mem.write(d.outBusy, 0));
    });
  }

  private static Op<Void> noteError(Data d, int status, String dir) {
    return Mem.read(d.errors).then(n -> Mem.write(d.errors, n + 1).then(v -> n < MyUsb.ERROR_BURST
        ? Printk.err("my_usb: " + dir + " URB completed with status " + status) : Op.<Void>done()));
  }

  @Override
  public Fallible<Void> disconnect(Data d) {
    return Fallible.lift(Printk.info("my_usb: Disconnecting USB device"))
        .andThen(v -> Fallible.lift(d.in.kill()))
        .andThen(v -> Fallible.lift(d.out.kill()))
        .andThen(v -> d.done.waitTimeout(MyUsb.DISCONNECT_TIMEOUT_NANOS)
            .onErr(e -> Printk.err("my_usb: Timeout waiting for URB completion"))
            .mapErr(e -> Errno.ETIMEDOUT))
        .andThen(v -> Fallible.lift(Printk.info("my_usb: Disconnect completed")));
  }
}
