package dev.devemu.kernel;

/**
 * The reports the kernel's core makes itself, whatever subsystem a bug is in: page faults (a NULL pointer, an
 * address nothing maps — {@code arch/x86/mm/fault.c}), {@code WARN()}, {@code might_sleep()} in atomic context
 * ({@code kernel/sched/core.c}) and {@code BUG()} — here, a driver model that threw a Java exception. The
 * detectors of subsystems (KASAN, lockdep, KCSAN) build their own reports in {@code kernel.detect}.
 */
public final class Bugs {
  private final Kernel kernel;

  Bugs(Kernel kernel) {
    this.kernel = kernel;
  }

  /** Dereference of a NULL pointer (plus {@code offset} into the struct it was supposed to point to). */
  public Oops nullPointer(Exec x, long offset, boolean write, String what) {
    String fn = x.task().function();
    return pageFault(x, "null-deref", "BUG: kernel NULL pointer dereference, address: " + ReportText.hex(offset),
        offset, write, what, "null-deref:" + fn + ":" + what.replaceAll("\\[\\d+\\]", "[]"));
  }

  /** An access to an unmapped kernel address (an iounmap'ed BAR, a vmalloc hole). */
  public Oops unmapped(Exec x, String detector, long address, boolean write, String what) {
    String fn = x.task().function();
    return pageFault(x, detector, "BUG: unable to handle page fault for address: " + ReportText.hex(address),
        address, write, what, detector + ":unmapped:" + fn + ":" + (write ? "write" : "read"));
  }

  private Oops pageFault(Exec x, String detector, String title, long address, boolean write, String what,
      String signature) {
    ReportText r = new ReportText()
        .line("#PF: supervisor " + (write ? "write" : "read") + " access in kernel mode")
        .line("#PF: error_code(0x000" + (write ? "2" : "0") + ") - not-present page")
        .line("Oops: 000" + (write ? "2" : "0") + " [#1] PREEMPT SMP KASAN")
        .taskLine(x)
        .line("RIP: 0010:" + x.task().function() + " (" + what + ")")
        .callTrace(x.task().stack(), x.task().lastCall())
        .causalChain("Causal chain (oldest first):", x.cause(what));
    return new Oops(detector, title, r.build(), owner(x), x.now(), x.cpu(), signature);
  }

  /**
   * might_sleep(): a call that can sleep, made in atomic context, is reported. In hardirq context the task
   * cannot go on (it would schedule while atomic), so the report kills it.
   */
  public void mightSleep(Exec x, String what) {
    Task t = x.task();
    if (!t.atomic()) return;
    Oops oops = sleepInAtomic(x, what);
    if (t.inInterrupt()) throw kernel.fatal(oops);
    kernel.report(oops);
  }

  /** might_sleep() in atomic context. */
  private Oops sleepInAtomic(Exec x, String what) {
    Task t = x.task();
    // preempt_count: HARDIRQ_OFFSET in an interrupt handler, plus one per spinlock held (kernel/sched/core.c)
    long spinlocks = t.heldLocks().stream().filter(l -> l instanceof Task.AtomicLock).count();
    long preempt = (t.inInterrupt() ? 0x10000 : 0) + spinlocks;
    ReportText r = new ReportText()
        .line("in_atomic(): " + (t.atomic() ? 1 : 0) + ", irqs_disabled(): " + (t.irqsDisabled() ? 1 : 0)
            + ", non_block: 0, pid: " + t.pid() + ", name: " + t.comm())
        .line("preempt_count: " + Long.toHexString(preempt) + ", expected: 0")
        .line("RCU nest depth: 0, expected: 0")
        .heldLocks(t);
    r.taskLine(x).callTrace(t.stack(), what).causalChain("Causal chain (oldest first):", x.cause(what));
    String fn = t.function();
    return new Oops("atomic-sleep", "BUG: sleeping function called from invalid context at " + what + " in " + fn,
        r.build(), owner(t), kernel.now(), x.cpu(), "atomic-sleep:" + fn + ":" + what);
  }

  /** WARN(): the kernel complains but goes on. */
  public Oops warning(Exec x, String text, String where) {
    ReportText r = new ReportText().taskLine(x).callTrace(x.task().stack(), x.task().lastCall())
        .causalChain("Causal chain (oldest first):", x.cause(where));
    String fn = x.task().function();
    return new Oops("warn", "WARNING: CPU: " + x.cpu() + " PID: " + x.task().pid() + " at " + where + " in " + fn
        + ": " + text, r.build(), owner(x), x.now(), x.cpu(), "warn:" + where + ":" + fn);
  }

  /** The driver model threw a Java exception: reported as BUG() in the driver's code, never an emulator crash. */
  public Oops driverException(Exec x, Task t, Throwable e) {
    String fn = t.function();
    ReportText r = new ReportText()
        .line("invalid opcode: 0000 [#1] PREEMPT SMP KASAN")
        .taskLine(x)
        .line("RIP: " + fn + " (" + t.lastCall() + ")")
        .line("Driver model exception: " + e.getClass().getName() + ": " + e.getMessage());
    StackTraceElement[] st = e.getStackTrace();
    for (int i = 0; i < Math.min(5, st.length); i++) r.line("  at " + st[i]);
    r.callTrace(t.stack(), null).causalChain("Causal chain (oldest first):", t.cause());
    return new Oops("bug", "kernel BUG in " + fn + ": " + e.getClass().getSimpleName(), r.build(), owner(t), x.now(),
        x.cpu(), "bug:" + fn + ":" + e.getClass().getSimpleName());
  }

  /** Whom a report blames: the driver whose code the task runs, or the kernel. */
  public static Owner owner(Exec x) {
    return owner(x.task());
  }

  public static Owner owner(Task t) {
    return t.owner() == null ? Owner.KERNEL : t.owner();
  }
}
