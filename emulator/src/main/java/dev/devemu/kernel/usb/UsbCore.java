package dev.devemu.kernel.usb;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.kernel.sync.Completion;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbDeviceState;
import dev.devemu.spec.usb.UsbSetup;
import dev.devemu.uapi.Errno;

/**
 * The USB core's functions as drivers call them, with C semantics ({@code drivers/usb/core/urb.c},
 * {@code message.c}): return codes and NULL pointers that nothing forces a caller to check. Both driver flavours
 * are built on these; the safe API wraps them. Each call is one kernel step, except those that sleep.
 *
 * <p>{@code usb_submit_urb} returns, as in Linux 6.10: -EINVAL for a NULL URB or one without a completion
 * handler, -EBUSY (with the kernel's WARN) for a URB that is still active, -ENODEV when the device is not (or no
 * longer) configured, -ENOENT for a pipe naming no endpoint or a disabled endpoint, -EMSGSIZE for a length above
 * INT_MAX, -EPERM while the URB is being killed, -ESHUTDOWN when the host controller is dead, -ENOMEM when the
 * xhci driver cannot allocate its TDs (fault point {@code usb_submit_urb}).
 */
public final class UsbCore {
  private UsbCore() {}

  private static KernelMemory mem(Exec x) {
    return KernelMemory.of(x.kernel());
  }

  private static boolean isNull(Urb urb) {
    return urb == null || urb.isNull();
  }

  /**
   * usb_alloc_urb(0, GFP_KERNEL): a URB with one reference, or NULL (a URB without memory) when kmalloc fails
   * (fault point {@code kmalloc}, for driver code). Like every struct pointer of the raw API (a {@code KStruct}
   * whose allocation failed), the NULL URB is an object: check it with {@link Urb#isNull()} — C's
   * {@code if (!urb)} — never with {@code == null}, which is always false here and lets the failure through.
   */
  public static Op<Urb> allocUrb() {
    return Op.step("usb_alloc_urb", x -> {
      Urb urb = new Urb();
      urb.owner = x.task().owner() == null ? dev.devemu.kernel.Owner.KERNEL : x.task().owner();
      if (!urb.owner.isKernel() && x.kernel().faults().inject("kmalloc", x.task().function())) return urb;
      mem(x).allocate(x, urb);
      return urb;
    });
  }

  /** usb_free_urb: drops the caller's reference; the HCD keeps its own while the URB is in flight. */
  public static Op<Void> freeUrb(Urb urb) {
    return Op.fn("usb_free_urb", () -> Op.step("usb_free_urb", x -> {
      if (isNull(urb)) return null;
      UsbDevice dev = urb.dev.peek();
      if (dev != null) dev.hcd().putUrb(x, urb);
      else putUnattached(x, urb);
      return null;
    }));
  }

  private static void putUnattached(Exec x, Urb urb) {
    int refs = mem(x).readOnce(x, urb.kref) - 1;
    if (!urb.allocation().live()) return;
    mem(x).writeOnce(x, urb.kref, refs);
    if (refs == 0) mem(x).free(x, urb.allocation());
  }

  /**
   * usb_fill_bulk_urb: the driver's own plain writes into the URB (an inline function in C), so KASAN and KCSAN
   * see them; through a NULL URB it is a NULL-pointer dereference.
   */
  public static Op<Void> fillBulkUrb(Urb urb, UsbDevice dev, int pipe, Allocation buffer, int length,
      UrbCallback complete, Object context) {
    return Op.step("usb_fill_bulk_urb", x -> {
      KernelMemory m = mem(x);
      m.write(x, urb.dev, dev);
      m.write(x, urb.pipe, pipe);
      m.write(x, urb.transferBuffer, buffer);
      m.write(x, urb.transferBufferLength, length);
      m.write(x, urb.complete, complete);
      m.write(x, urb.context, context);
      return null;
    });
  }

  /** usb_submit_urb. */
  public static Op<Integer> submitUrb(Urb urb) {
    return Op.fn("usb_submit_urb", () -> Op.step("usb_submit_urb", x -> submit(x, urb)));
  }

  private static int submit(Exec x, Urb urb) {
    if (isNull(urb)) return -Errno.EINVAL;
    KernelMemory m = mem(x);
    if (m.readOnce(x, urb.complete) == null) return -Errno.EINVAL;
    if (m.readOnce(x, urb.hcpriv) != null) {
      UsbDevice busy = urb.dev.peek();
      if (busy == null || busy.hcd().warnActiveOnce()) {
        x.kernel().report(x.kernel().bugs().warning(x, "URB " + String.format("%016x", urb.allocation().address())
            + " submitted while active", "usb_submit_urb"));
      }
      return -Errno.EBUSY;
    }
    UsbDevice dev = m.readOnce(x, urb.dev);
    if (dev == null || dev.state().below(UsbDeviceState.UNAUTHENTICATED)) return -Errno.ENODEV;
    int pipe = m.readOnce(x, urb.pipe);
    UsbHostEndpoint ep = dev.pipeEndpoint(pipe);
    if (ep == null) return -Errno.ENOENT;
    m.writeOnce(x, urb.ep, ep);
    m.writeOnce(x, urb.status, -Errno.EINPROGRESS);
    m.writeOnce(x, urb.actualLength, 0);
    int xfer = ep.desc().type();
    if (xfer == UsbDescriptors.ENDPOINT_XFER_CONTROL) {
      byte[] setup = m.readOnce(x, urb.setupPacket);
      if (setup == null) return -Errno.ENOEXEC;
    } else if (dev.state().below(UsbDeviceState.CONFIGURED)) {
      return -Errno.ENODEV;
    }
    if (ep.desc().maxp() == 0) return -Errno.EMSGSIZE;
    int length = m.readOnce(x, urb.transferBufferLength);
    if (length < 0) return -Errno.EMSGSIZE; // a u32 above INT_MAX
    if (UsbPipe.type(pipe) != UsbPipe.pipeTypeOf(xfer) && dev.hcd().warnBogusPipeOnce()) {
      x.kernel().printk("usb " + dev.name() + ": BOGUS urb xfer, pipe " + UsbPipe.type(pipe) + " != type "
          + UsbPipe.pipeTypeOf(xfer));
    }
    if (xfer != UsbDescriptors.ENDPOINT_XFER_CONTROL && length > 0 && m.readOnce(x, urb.transferBuffer) == null) {
      // map_urb_for_dma → dma_map_single(NULL)
      throw x.kernel().fatal(x.kernel().bugs().nullPointer(x, 0, false,
          "dma_map_single of urb->transfer_buffer"));
    }
    return dev.hcd().submit(x, urb, dev, ep);
  }

  /**
   * usb_unlink_urb: asynchronous; -EINPROGRESS when the cancellation started (the completion handler then sees
   * -ECONNRESET), -EIDRM when the URB is not queued, -EBUSY when it was unlinked already.
   */
  public static Op<Integer> unlinkUrb(Urb urb) {
    return Op.fn("usb_unlink_urb", () -> Op.step("usb_unlink_urb", x -> {
      if (isNull(urb)) return -Errno.EINVAL;
      UsbDevice dev = mem(x).readOnce(x, urb.dev);
      if (dev == null) return -Errno.ENODEV;
      if (mem(x).readOnce(x, urb.ep) == null) return -Errno.EIDRM;
      return dev.hcd().unlink(x, urb, -Errno.ECONNRESET);
    }));
  }

  /**
   * usb_kill_urb: cancels and sleeps until the completion handler (status -ENOENT) has returned; resubmission
   * fails with -EPERM meanwhile. It may sleep: calling it in atomic context is a report.
   */
  public static Op<Void> killUrb(Urb urb) {
    return Op.fn("usb_kill_urb", () -> cancelAndWait(urb, "usb_kill_urb").then(rejected -> !rejected ? Op.<Void>done()
        : Op.step("usb_kill_urb", x -> {
          mem(x).writeOnce(x, urb.reject, mem(x).readOnce(x, urb.reject) - 1);
          return null;
        })));
  }

  /** usb_poison_urb: like kill, but resubmission keeps failing with -EPERM afterwards. */
  public static Op<Void> poisonUrb(Urb urb) {
    return Op.fn("usb_poison_urb", () -> cancelAndWait(urb, "usb_poison_urb").map(ignored -> null));
  }

  private static Op<Boolean> cancelAndWait(Urb urb, String what) {
    return Op.block(what, x -> {
      x.kernel().bugs().mightSleep(x, what);
      if (isNull(urb)) return Op.Wait.ready(Boolean.FALSE);
      KernelMemory m = mem(x);
      m.writeOnce(x, urb.reject, m.readOnce(x, urb.reject) + 1);
      UsbDevice dev = m.readOnce(x, urb.dev);
      if (dev == null || m.readOnce(x, urb.ep) == null) return Op.Wait.ready(Boolean.TRUE);
      dev.hcd().unlink(x, urb, -Errno.ENOENT);
      if (!dev.hcd().mustWaitIdle(x, urb)) return Op.Wait.ready(Boolean.TRUE);
      return Op.Wait.sleep(Op.WaitKind.UNINTERRUPTIBLE, "usb_kill_urb_queue");
    }, (x, woke) -> Boolean.TRUE);
  }

  /** The result of a control transfer: {@code rc} is the length moved or -errno; {@code data} an IN payload. */
  public record ControlResult(int rc, byte[] data) {}

  /**
   * usb_control_msg: a control transfer on endpoint 0, sleeping until it completes or {@code timeoutNanos} passes
   * (then the URB is killed and the result is -ETIMEDOUT), as usb_start_wait_urb does.
   */
  public static Op<ControlResult> controlMsg(UsbDevice dev, UsbSetup setup, byte[] outData, long timeoutNanos) {
    Completion done = Completion.initialized("usb_api_blocking_completion");
    UrbCallback cb = new UrbCallback("usb_api_blocking_completion", u -> done.complete());
    return Op.fn("usb_control_msg", () -> allocUrb().then(urb -> {
      if (urb.isNull()) return Op.pure(new ControlResult(-Errno.ENOMEM, null));
      return Op.step("usb_fill_control_urb", x -> {
        KernelMemory m = mem(x);
        m.writeOnce(x, urb.dev, dev);
        m.writeOnce(x, urb.pipe, setup.in() ? UsbPipe.rcvCtrl(dev, 0) : UsbPipe.sndCtrl(dev, 0));
        m.writeOnce(x, urb.setupPacket, setup.toBytes());
        m.writeOnce(x, urb.transferBufferLength, setup.length());
        m.writeOnce(x, urb.complete, cb);
        urb.controlData = outData;
        return null;
      }).then(submitUrb(urb)).then(rc -> rc < 0 ? freeUrb(urb).map(v -> new ControlResult(rc, null))
          : done.waitForCompletionTimeout(timeoutNanos).then(left -> (left == 0 ? killUrb(urb) : Op.<Void>done())
              .then(v -> Op.step("usb_start_wait_urb", x -> {
                int status = mem(x).readOnce(x, urb.status);
                if (left == 0 && status == -Errno.ENOENT) status = -Errno.ETIMEDOUT;
                int actual = mem(x).readOnce(x, urb.actualLength);
                return new ControlResult(status < 0 ? status : actual, setup.in() ? urb.controlData : null);
              })).then(r -> freeUrb(urb).map(v -> r))));
    }));
  }

  /**
   * usb_clear_halt: CLEAR_FEATURE(ENDPOINT_HALT) to the device, so a stalled endpoint accepts transfers again.
   * It sleeps. (The host side of the endpoint was already reset when the stall was reported.)
   */
  public static Op<Integer> clearHalt(UsbDevice dev, int pipe) {
    int endpoint = UsbPipe.endpoint(pipe) | (UsbPipe.in(pipe) ? UsbPipe.DIR_IN : 0);
    return Op.fn("usb_clear_halt", () -> controlMsg(dev, UsbSetup.clearHalt(endpoint), null, UsbHcd.CTRL_TIMEOUT_NANOS)
        .map(r -> r.rc() < 0 ? r.rc() : 0));
  }

  /** interface_to_usbdev. */
  public static UsbDevice interfaceToUsbDev(UsbInterface intf) {
    return intf.device();
  }

  /** usb_set_intfdata. */
  public static Op<Void> setIntfData(UsbInterface intf, Object data) {
    return Op.step("usb_set_intfdata", x -> {
      intf.intfdata(data);
      return null;
    });
  }

  /** usb_get_intfdata. */
  public static Op<Object> getIntfData(UsbInterface intf) {
    return Op.step("usb_get_intfdata", x -> intf.intfdata());
  }

  /**
   * usb_disable_interface(dev, intf, false): every endpoint of the interface stops taking URBs and its queue is
   * flushed (URBs complete with -ESHUTDOWN). What usb_unbind_interface does before disconnect unless the driver
   * has soft_unbind and the device is still there.
   */
  public static Op<Void> disableInterface(UsbInterface intf) {
    return Op.fn("usb_disable_interface", () -> Op.forEach(intf.endpoints(), ep -> Op.step("usb_disable_endpoint", x -> {
      ep.enabled(false);
      return null;
    }).then(ignored -> intf.device().hcd().flushEndpoint(ep))));
  }

  /** usb_enable_interface(dev, intf, false): the interface's endpoints take URBs again. */
  public static Op<Void> enableInterface(UsbInterface intf) {
    return Op.step("usb_enable_interface", x -> {
      for (UsbHostEndpoint ep : intf.endpoints()) ep.enabled(true);
      return null;
    });
  }
}
