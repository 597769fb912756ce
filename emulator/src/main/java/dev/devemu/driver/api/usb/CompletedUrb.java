package dev.devemu.driver.api.usb;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.kernel.usb.Urb;

/** What a safe completion handler sees: the URB's result, its data, and the way to submit it again. */
public final class CompletedUrb {
  private final SafeUrb owner;

  CompletedUrb(SafeUrb owner) {
    this.owner = owner;
  }

  /** {@code Ok(actual_length)} or {@code Err(errno)} from {@code urb->status}. */
  public Op<KResult<Integer>> result() {
    Urb urb = owner.urb();
    return Op.step("read urb->status", x -> {
      int status = KernelMemory.of(x.kernel()).read(x, urb.status);
      if (status < 0) return KResult.<Integer>err(-status);
      return KResult.ok(KernelMemory.of(x.kernel()).read(x, urb.actualLength));
    });
  }

  /** Reads {@code length} bytes of what arrived (an IN URB's buffer), bounds-checked. */
  public Fallible<Void> readData(int length) {
    if (length < 0 || length > owner.capacity()) return Fallible.err(dev.devemu.uapi.Errno.EINVAL);
    return Fallible.lift(dev.devemu.driver.api.Mem.touch(owner.buffer(), 0, length, false, "urb data"));
  }

  /** Submits the same URB again (same length as its buffer). */
  public Fallible<Void> resubmit() {
    return owner.submit();
  }

  public SafeUrb urb() {
    return owner;
  }
}
