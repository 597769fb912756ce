package dev.devemu.kernel.detect;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Task;

/** The detectors of one kernel, and the small checks that belong to no single detector. */
public final class Detectors {
  private final Kernel kernel;
  private final Kasan kasan;
  private final NullDeref nullDeref;
  private final MmioCheck mmio;
  private final Kcsan kcsan;
  private final Lockdep lockdep;
  private final HungTask hungTask;
  private final LeakCheck leaks;

  public Detectors(Kernel kernel) {
    this.kernel = kernel;
    this.kasan = new Kasan(kernel, this);
    this.nullDeref = new NullDeref(kernel);
    this.mmio = new MmioCheck(kernel);
    this.kcsan = new Kcsan(kernel);
    this.lockdep = new Lockdep(kernel);
    this.hungTask = new HungTask(kernel);
    this.leaks = new LeakCheck(kernel);
  }

  public Kasan kasan() {
    return kasan;
  }

  public NullDeref nullDeref() {
    return nullDeref;
  }

  public MmioCheck mmio() {
    return mmio;
  }

  public Kcsan kcsan() {
    return kcsan;
  }

  public Lockdep lockdep() {
    return lockdep;
  }

  public HungTask hungTask() {
    return hungTask;
  }

  public LeakCheck leaks() {
    return leaks;
  }

  /**
   * might_sleep(): a call that can sleep, made in atomic context, is reported. In hardirq context the task
   * cannot go on (it would schedule while atomic), so the report kills it.
   */
  public void mightSleep(Exec x, String what) {
    Task t = x.task();
    if (!t.atomic()) return;
    Oops oops = lockdep.sleepInAtomic(x, what);
    if (t.inInterrupt()) throw kernel.fatal(oops);
    kernel.report(oops);
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
    Owner o = t.owner() == null ? Owner.KERNEL : t.owner();
    return new Oops("bug", "kernel BUG in " + fn + ": " + e.getClass().getSimpleName(), r.build(), o, x.now(),
        x.cpu(), "bug:" + fn + ":" + e.getClass().getSimpleName());
  }

  static Owner owner(Exec x) {
    return x.task().owner() == null ? Owner.KERNEL : x.task().owner();
  }
}
