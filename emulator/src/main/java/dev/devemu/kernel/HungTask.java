package dev.devemu.kernel;






/**
 * The hung-task watchdog (khungtaskd) and the soft-lockup watchdog: a task asleep uninterruptibly for longer than
 * {@code hung_task_timeout_secs}, or a CPU spinning for longer than the soft-lockup threshold, is reported.
 * Instead of scanning every task periodically, each wait arms a virtual timer that checks it is still the same
 * wait when the threshold passes.
 */
public final class HungTask {
  private final Kernel kernel;

  HungTask(Kernel kernel) {
    this.kernel = kernel;
  }

  /** Called when a task starts to wait; arms the watchdog that applies to the kind of wait. */
  public void watch(Task t) {
    long episode = t.waitEpisode();
    if (t.waitKind() == Op.WaitKind.UNINTERRUPTIBLE) {
      long timeout = kernel.config().hungTaskTimeoutNanos();
      if (timeout <= 0) return;
      kernel.clock().schedule(timeout, "khungtaskd", () -> {
        if (t.state() == Task.State.WAITING && t.waitEpisode() == episode) hung(t, timeout);
      });
    } else if (t.waitKind() == Op.WaitKind.SPIN) {
      long threshold = kernel.config().softLockupNanos();
      if (threshold <= 0) return;
      kernel.clock().schedule(threshold, "watchdog", () -> {
        if (t.state() == Task.State.WAITING && t.waitEpisode() == episode) softLockup(t, threshold);
      });
    }
  }

  private void hung(Task t, long timeout) {
    long secs = timeout / 1_000_000_000L;
    ReportText r = new ReportText()
        .line("      Not tainted devemu")
        .line("\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.")
        .line("task:" + t.comm() + " state:D pid:" + t.pid() + " cpu:" + t.cpu())
        .line("blocked on: " + t.waitingOn() + " since " + ReportText.time(t.waitingSince()))
        .callTrace(t.stack(), t.lastCall())
        .causalChain("Causal chain (oldest first):", t.cause());
    String fn = t.function();
    kernel.report(new Oops("hung-task", "INFO: task " + t.comm() + ":" + t.pid() + " blocked for more than " + secs
        + " seconds.", r.build(), owner(t), kernel.now(), t.cpu(), "hung-task:" + fn + ":" + t.waitingOn()));
  }

  private void softLockup(Task t, long threshold) {
    ReportText r = new ReportText()
        .line("spinning on: " + t.waitingOn() + " since " + ReportText.time(t.waitingSince()))
        .line("CPU: " + t.cpu() + " PID: " + t.pid() + " Comm: " + t.comm() + " "
            + (t.inInterrupt() ? "(hardirq)" : "(process context)"))
        .callTrace(t.stack(), t.lastCall())
        .causalChain("Causal chain (oldest first):", t.cause() == null ? null
            : t.cause().then(t.comm(), t.cpu(), kernel.now(), "still spinning"));
    long secs = threshold / 1_000_000_000L;
    kernel.report(new Oops("soft-lockup", "watchdog: BUG: soft lockup - CPU#" + t.cpu() + " stuck for " + secs
        + "s! [" + t.comm() + ":" + t.pid() + "]", r.build(), owner(t), kernel.now(), t.cpu(),
        "soft-lockup:" + t.function() + ":" + t.waitingOn()));
  }

  /**
   * The lane saw {@code choices} deliveries at one virtual instant, the last to {@code cpu}: its task spins
   * without letting time pass (polling a register that never changes, say). Reported as the kernel's soft-lockup
   * watchdog would, blamed on the task; the watchdog's threshold cannot pass when time stands still, so the
   * report says how many deliveries it took instead.
   */
  public void livelock(int cpu, Task t, long choices) {
    ReportText r = new ReportText()
        .line("devemu: " + choices + " deliveries at " + ReportText.time(kernel.now())
            + " without virtual time passing (a livelock); CPU#" + cpu + " ran last")
        .line("CPU: " + cpu + " PID: " + t.pid() + " Comm: " + t.comm() + " "
            + (t.inInterrupt() ? "(hardirq)" : "(process context)"))
        .callTrace(t.stack(), t.lastCall())
        .causalChain("Causal chain (oldest first):", t.cause() == null ? null
            : t.cause().then(t.comm(), t.cpu(), kernel.now(), "still spinning"));
    kernel.report(new Oops("soft-lockup", "watchdog: BUG: soft lockup - CPU#" + cpu + " stuck for 0s! [" + t.comm()
        + ":" + t.pid() + "]", r.build(), owner(t), kernel.now(), cpu, "soft-lockup:" + t.function() + ":livelock"));
  }

  private static Owner owner(Task t) {
    return t.owner() == null ? Owner.KERNEL : t.owner();
  }

}
