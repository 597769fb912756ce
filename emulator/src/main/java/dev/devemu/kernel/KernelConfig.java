package dev.devemu.kernel;

/**
 * Kernel tunables of a testbed, named after their sysctl/boot-parameter counterparts.
 *
 * @param panicOnOops stop the machine at the first report, as {@code panic_on_warn=1} does under syzkaller;
 *     otherwise the faulting task is killed and its driver instance is marked tainted
 * @param hungTaskTimeoutNanos {@code kernel.hung_task_timeout_secs}: an uninterruptible sleep longer than this
 *     is reported
 * @param softLockupNanos {@code 2 * watchdog_thresh}: a CPU spinning longer than this is reported
 * @param kcsanWindowChoices how close (in scheduling choices) two unlocked accesses must be to count as a race
 */
public record KernelConfig(boolean panicOnOops, long hungTaskTimeoutNanos, long softLockupNanos,
    int kcsanWindowChoices) {
  public static final KernelConfig DEFAULT =
      new KernelConfig(true, 120L * 1_000_000_000L, 20L * 1_000_000_000L, 64);
}
