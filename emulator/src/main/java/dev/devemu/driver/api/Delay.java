package dev.devemu.driver.api;

import dev.devemu.kernel.Op;
import dev.devemu.sim.VirtualClock;

/**
 * Sleeping for a while, as {@code linux/delay.h} offers it to a driver in process context. Each sleep leaves the
 * CPU and ends after the given virtual time; sleeping in atomic context (a spinlock held, interrupts off, an
 * interrupt handler) is reported as the kernel's "sleeping function called from invalid context".
 */
public final class Delay {
  private Delay() {}

  /** msleep: sleeps at least {@code ms} milliseconds. */
  public static Op<Void> msleep(long ms) {
    if (ms < 0) throw new IllegalArgumentException("msleep of " + ms + " ms");
    return Op.step("msleep", x -> x.kernel()).then(k -> k.sleep("msleep", ms * VirtualClock.MILLISECOND));
  }

  /**
   * usleep_range: sleeps between {@code minUs} and {@code maxUs} microseconds. Where in the range is drawn from
   * the run's seed (the kernel coalesces the wake-up with other timers; a driver must not rely on either end).
   */
  public static Op<Void> usleepRange(long minUs, long maxUs) {
    if (minUs < 0 || maxUs < minUs) throw new IllegalArgumentException("usleep_range(" + minUs + ", " + maxUs + ")");
    return Op.step("usleep_range", x -> minUs + (maxUs == minUs ? 0
        : x.kernel().random().nextLong(maxUs - minUs + 1)))
        .then(us -> Op.step("usleep_range", x -> x.kernel()).then(k -> k.sleep("usleep_range",
            us * VirtualClock.MICROSECOND)));
  }
}
