package dev.devemu.driver.samples.pcie;

import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.Field;

/**
 * What both variants of my_pcie share beyond the ID table: the interrupt-storm guard of the handler — and its flaw.
 *
 * <p>A card that raises its MSI with nothing to report, over and over, is wedged. Like the kernel's own
 * note_interrupt(), the guard looks at the share of interrupts that had nothing to report: per one-second window it
 * counts them and the ones that carried a sample, and when {@link #STORM_THRESHOLD} had nothing while fewer than a
 * tenth as many carried a sample, it masks the line. (A busy card whose handler runs late also sees empty interrupts
 * — MSIs that arrive after an earlier handler took their sample — but then most interrupts still carry one.) It
 * masks the line with {@code disable_irq()}, which waits for the line's running handlers to finish, the handler
 * calling it among them. In a real kernel that is a self-deadlock (with CONFIG_DEBUG_ATOMIC_SLEEP, "BUG: sleeping
 * function called from invalid context" first); {@code disable_irq_nosync()} is what a handler may call. The same
 * mistake is fixed again and again in mainline ("use disable_irq_nosync() in the interrupt handler"). Only an
 * interrupt storm ({@code irq-storm} in a fault plan) reaches it.
 */
final class MyPcie {
  /** Interrupts with nothing to report, within one window, before the handler decides the card is wedged. */
  static final int STORM_THRESHOLD = 2000;
  /** The counting window (a second, as {@code time_after(jiffies, start + HZ)} would have it). */
  static final long STORM_WINDOW_NANOS = 1_000_000_000L;

  private MyPcie() {}

  /** The handler's own counters (written with WRITE_ONCE: only the handler of this line touches them). */
  record StormCounters(Field<Long> windowStart, Field<Integer> unhandled, Field<Integer> handled) {}

  /** An interrupt that carried a sample. */
  static Op<Void> noteHandled(StormCounters c) {
    return Mem.readOnce(c.handled()).then(n -> Mem.writeOnce(c.handled(), n + 1));
  }

  /**
   * An interrupt with nothing to report: count it in the current window (a new window resets both counts) and, when
   * the window looks like a storm, mask the line — with the sleeping disable_irq(), from the handler itself.
   */
  static Op<Void> noteUnhandled(StormCounters c, int irq) {
    return Op.step("ktime_get_ns", x -> x.now()).then(now -> Mem.readOnce(c.windowStart())
        .then(start -> now - start < STORM_WINDOW_NANOS ? Mem.readOnce(c.unhandled())
            : Mem.writeOnce(c.windowStart(), now).then(Mem.writeOnce(c.handled(), 0)).then(Op.pure(0))))
        .then(n -> Mem.writeOnce(c.unhandled(), n + 1).then(v -> n + 1 != STORM_THRESHOLD ? Op.<Void>done()
            : Mem.readOnce(c.handled()).then(handled -> handled * 10 >= STORM_THRESHOLD ? Op.<Void>done()
                : Printk.err("my_pcie: interrupt storm (" + STORM_THRESHOLD + " interrupts with nothing to report, "
                    + handled + " with a sample), disabling IRQ " + irq).then(Irqs.disableIrq(irq)))));
  }
}
