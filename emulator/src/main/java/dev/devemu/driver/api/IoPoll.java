package dev.devemu.driver.api;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.pci.IoMem;
import dev.devemu.kernel.pci.PciCore;
import dev.devemu.uapi.Errno;
import dev.devemu.sim.VirtualClock;
import java.util.function.IntPredicate;

/**
 * {@code linux/iopoll.h}: polling a device register until a condition holds or a timeout passes. Each read is a
 * real (non-posted) MMIO read, so it also flushes the driver's earlier posted writes to that device.
 */
public final class IoPoll {
  private IoPoll() {}

  /**
   * What a poll ended with: {@code rc} 0 when the condition held, -ETIMEDOUT otherwise; {@code value} is the last
   * value read (as the macro's {@code val} argument).
   */
  public record Polled(int rc, int value) {}

  /**
   * readl_poll_timeout: reads the 32-bit register at {@code offset} until {@code done} holds for its value,
   * sleeping {@code sleepUs} microseconds between reads (0: a busy loop that keeps the CPU), for at most
   * {@code timeoutUs} microseconds of virtual time; as the macro does, it reads once more after the timeout
   * before giving up, so a condition that became true while it slept is not missed.
   */
  public static Op<Polled> readlPollTimeout(IoMem mem, long offset, IntPredicate done, long sleepUs,
      long timeoutUs) {
    if (sleepUs < 0 || timeoutUs < 0) {
      throw new IllegalArgumentException("readl_poll_timeout(sleep " + sleepUs + " us, timeout " + timeoutUs + " us)");
    }
    return Op.fn("readl_poll_timeout", () -> Op.step("ktime_get", x -> x.now())
        .then(start -> poll(mem, offset, done, sleepUs, start + timeoutUs * VirtualClock.MICROSECOND)));
  }

  private static Op<Polled> poll(IoMem mem, long offset, IntPredicate done, long sleepUs, long deadline) {
    return Op.step("ktime_get", x -> x.now()).then(now -> PciCore.ioread32(mem, offset).then(value -> {
      if (done.test(value)) return Op.pure(new Polled(0, value));
      if (now > deadline) return Op.pure(new Polled(-Errno.ETIMEDOUT, value));
      Op<Void> pause = sleepUs == 0 ? Op.pure(null) : Delay.usleepRange(sleepUs / 2 + 1, sleepUs);
      return pause.then(v -> poll(mem, offset, done, sleepUs, deadline));
    }));
  }
}
