package dev.devemu.driver.api.usb;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.kernel.usb.Urb;
import dev.devemu.kernel.usb.UrbCallback;
import dev.devemu.kernel.usb.UsbCore;
import dev.devemu.uapi.Errno;
import java.util.function.Function;

/**
 * An owned URB with its transfer buffer ({@code usb::Urb} of the safe flavour). Errors come back as
 * {@link Fallible}; a length beyond the buffer is refused before anything is submitted; once the binding has
 * released it (after disconnect), every call is {@code Err(ENODEV)} and touches no freed memory. The binding
 * kills it before it frees anything, so no completion handler can run after its data is gone.
 */
public final class SafeUrb {
  private final Urb urb;
  private final Allocation buffer;
  private final int capacity;
  private final boolean in;
  private final int endpoint;
  private final CompletedUrb view;
  private boolean released;

  SafeUrb(Urb urb, Allocation buffer, int capacity, boolean in, int endpoint) {
    this.urb = urb;
    this.buffer = buffer;
    this.capacity = capacity;
    this.in = in;
    this.endpoint = endpoint;
    this.view = new CompletedUrb(this);
  }

  /** Sets the completion handler (it runs in interrupt context and sees this URB's result). */
  public Op<Void> onComplete(String name, Function<CompletedUrb, Op<Void>> handler) {
    UrbCallback cb = new UrbCallback(name, u -> handler.apply(view));
    return Op.step("urb.set_completion", x -> {
      if (!released) KernelMemory.of(x.kernel()).writeOnce(x, urb.complete, cb);
      return null;
    });
  }

  /** Submits with the whole buffer (an IN transfer reads up to its capacity). */
  public Fallible<Void> submit() {
    return submit(capacity);
  }

  /** Submits {@code length} bytes; more than the buffer holds is Err(EINVAL), never an overflow. */
  public Fallible<Void> submit(int length) {
    if (length < 0 || length > capacity) return Fallible.err(Errno.EINVAL);
    return Fallible.of(Op.defer(() -> {
      if (released) return Op.pure(KResult.<Void>err(Errno.ENODEV));
      return Op.step("urb.set_length", x -> {
        KernelMemory.of(x.kernel()).writeOnce(x, urb.transferBufferLength, length);
        return null;
      }).then(UsbCore.submitUrb(urb)).map(rc -> rc < 0 ? KResult.<Void>err(-rc) : KResult.<Void>ok(null));
    }));
  }

  /** Fills {@code length} bytes of the buffer (what an OUT transfer will send), bounds-checked. */
  public Fallible<Void> writeData(int length) {
    if (length < 0 || length > capacity) return Fallible.err(Errno.EINVAL);
    return Fallible.of(Op.defer(() -> released ? Op.pure(KResult.<Void>err(Errno.ENODEV))
        : dev.devemu.driver.api.Mem.touch(buffer, 0, length, true, "urb data").map(v -> KResult.<Void>ok(null))));
  }

  /**
   * usb_clear_halt on this URB's endpoint: CLEAR_FEATURE(ENDPOINT_HALT) to the device, after a STALL (-EPIPE), so
   * the endpoint accepts transfers again. It is a synchronous control transfer — it sleeps — and nothing in its
   * type says so: called from a completion handler (interrupt context) it compiles, and the kernel reports it.
   * Err(ENODEV) once released, Err(errno) if the control transfer fails.
   */
  public Fallible<Void> clearHalt() {
    return Fallible.of(Op.defer(() -> {
      if (released) return Op.pure(KResult.<Void>err(Errno.ENODEV));
      return Op.step("urb->dev, urb->pipe", x -> new Object[] {KernelMemory.of(x.kernel()).readOnce(x, urb.dev),
              KernelMemory.of(x.kernel()).readOnce(x, urb.pipe)})
          .then(a -> UsbCore.clearHalt((dev.devemu.kernel.usb.UsbDevice) a[0], (Integer) a[1]))
          .map(rc -> rc < 0 ? KResult.<Void>err(-rc) : KResult.<Void>ok(null));
    }));
  }

  /** usb_kill_urb: cancels and waits until the completion handler has returned; nothing if released. */
  public Op<Void> kill() {
    return Op.defer(() -> released ? Op.<Void>done() : UsbCore.killUrb(urb));
  }

  /** usb_poison_urb: kill, and every later submission fails; what the binding does at disconnect. */
  Op<Void> poison() {
    return Op.defer(() -> released ? Op.<Void>done() : UsbCore.poisonUrb(urb));
  }

  /** Devres is freeing the URB or its buffer: from now on the handle is revoked. */
  void markReleased() {
    released = true;
  }

  Allocation buffer() {
    return buffer;
  }

  Urb urb() {
    return urb;
  }

  public int capacity() {
    return capacity;
  }

  public boolean in() {
    return in;
  }

  public int endpoint() {
    return endpoint;
  }

  public boolean released() {
    return released;
  }
}
