package dev.devemu.driver.samples.pcie;

import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.Field;

/**
 * What both variants of my_pcie share beyond the ID table: the interrupt-storm guard of the handler — and its flaw.
 *
 * <p>A card that raises its MSI with nothing to report, a thousand times within a second, is wedged; the handler
 * counts such interrupts per one-second window and, at {@link #STORM_THRESHOLD}, masks the line. It calls
 * {@code disable_irq()}, which waits for the line's running handlers to finish — the handler calling it among them.
 * In a real kernel that is a self-deadlock (with CONFIG_DEBUG_ATOMIC_SLEEP, "BUG: sleeping function called from
 * invalid context" first); {@code disable_irq_nosync()} is what a handler may call. The same mistake is fixed again
 * and again in mainline ("use disable_irq_nosync() in the interrupt handler"). Only an interrupt storm reaches it;
 * samples and an occasional spurious interrupt never come near the count.
 */
final class MyPcie {
  /** Interrupts with nothing to report, within one window, before the handler decides the card is wedged. */
  static final int STORM_THRESHOLD = 1000;
  /** The counting window (a second, as {@code time_after(jiffies, start + HZ)} would have it). */
  static final long STORM_WINDOW_NANOS = 1_000_000_000L;

  private MyPcie() {}

  /**
   * An interrupt with nothing to report: count it in the current window (the counters are the handler's own,
   * written with WRITE_ONCE) and, at the threshold, mask the line — with the sleeping disable_irq(), from the handler
   * itself.
   */
  static Op<Void> noteUnhandled(Field<Long> windowStart, Field<Integer> unhandled, int irq) {
    return Op.step("ktime_get_ns", x -> x.now()).then(now -> Mem.readOnce(windowStart)
        .then(start -> now - start < STORM_WINDOW_NANOS ? Mem.readOnce(unhandled)
            : Mem.writeOnce(windowStart, now).then(Op.pure(0))))
        .then(n -> Mem.writeOnce(unhandled, n + 1).then(v -> n + 1 != STORM_THRESHOLD ? Op.<Void>done()
            : Printk.err("my_pcie: " + STORM_THRESHOLD + " interrupts with nothing to report within a second, "
                + "disabling IRQ " + irq).then(Irqs.disableIrq(irq))));
  }
}
