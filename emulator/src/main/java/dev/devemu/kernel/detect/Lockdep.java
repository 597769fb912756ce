package dev.devemu.kernel.detect;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.KLock;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.ReportText;
import dev.devemu.kernel.Task;
import dev.devemu.kernel.sync.LockChecks;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A lock validator in the spirit of lockdep: it learns the order in which lock classes are taken and the
 * contexts they are taken in, and reports a possible deadlock the first time an order or a context contradicts
 * what it saw before — whether or not this run actually deadlocked.
 */
public final class Lockdep implements LockChecks {
  /** Where a dependency or a usage was first seen. */
  private record Site(String task, int pid, int cpu, long timeNanos, String function) {
    String line() {
      return task + "/" + pid + " on cpu" + cpu + " at " + ReportText.time(timeNanos) + " in " + function;
    }
  }

  private static final class ClassState {
    Site inHardirq;
    Site hardirqOn;
  }

  private final Kernel kernel;
  private final Map<String, Map<String, Site>> after = new LinkedHashMap<>();
  private final Map<String, ClassState> usage = new HashMap<>();
  private final Set<String> reported = new HashSet<>();

  Lockdep(Kernel kernel) {
    this.kernel = kernel;
  }

  /**
   * Called when {@code task} is about to hold {@code lock} (after it got it, or right before it starts
   * spinning or sleeping for it — lockdep checks at the attempt, so a real deadlock is reported, not hung).
   */
  @Override
  public void acquire(Exec x, Task task, KLock lock) {
    Site site = new Site(task.comm(), task.pid(), task.cpu(), kernel.now(), task.function());
    for (Object held : task.heldLocks()) {
      if (held == lock) {
        recursive(x, task, lock, site);
        return;
      }
    }
    for (Object h : task.heldLocks()) {
      if (h instanceof KLock held) addDependency(x, task, held, lock, site);
    }
    if (lock.spinning()) checkIrqUsage(x, task, lock, site);
  }

  private void addDependency(Exec x, Task task, KLock held, KLock lock, Site site) {
    if (held.name().equals(lock.name())) return; // nesting of the same class needs annotation; not modelled
    Map<String, Site> edges = after.computeIfAbsent(held.name(), k -> new LinkedHashMap<>());
    if (edges.containsKey(lock.name())) return;
    List<String> path = path(lock.name(), held.name());
    edges.put(lock.name(), site);
    if (path != null) circular(x, task, held, lock, site, path);
  }

  /** A path of recorded "taken before" edges from one class to another, or null. */
  private List<String> path(String from, String to) {
    ArrayDeque<List<String>> queue = new ArrayDeque<>();
    queue.add(List.of(from));
    Set<String> seen = new HashSet<>();
    while (!queue.isEmpty()) {
      List<String> p = queue.poll();
      String last = p.get(p.size() - 1);
      if (last.equals(to)) return p;
      if (!seen.add(last)) continue;
      for (String next : after.getOrDefault(last, Map.of()).keySet()) {
        List<String> q = new ArrayList<>(p);
        q.add(next);
        queue.add(q);
      }
    }
    return null;
  }

  private void circular(Exec x, Task task, KLock held, KLock lock, Site site, List<String> path) {
    String signature = "lockdep:circular:" + held.name() + "->" + lock.name();
    if (!reported.add(signature)) return;
    ReportText r = new ReportText()
        .line("------------------------------------------------------")
        .line(task.comm() + "/" + task.pid() + " is trying to acquire lock:")
        .line(" (" + lock.name() + ") at: " + site.function())
        .blank()
        .line("but task is already holding lock:")
        .line(" (" + held.name() + ")")
        .blank()
        .line("which lock already depends on the new lock.")
        .blank()
        .line("the existing dependency chain (in reverse order) is:");
    for (int i = path.size() - 1; i > 0; i--) {
      Site s = after.get(path.get(i - 1)).get(path.get(i));
      r.line("-> #" + (i - 1) + " (" + path.get(i) + ") taken while holding (" + path.get(i - 1) + "): "
          + s.line());
    }
    r.blank().line("other info that might help us debug this:").blank()
        .line(" Possible unsafe locking scenario:").blank()
        .line("       CPU0                    CPU1")
        .line("       ----                    ----")
        .line("  lock(" + held.name() + ");")
        .line("                               lock(" + lock.name() + ");")
        .line("                               lock(" + held.name() + ");")
        .line("  lock(" + lock.name() + ");")
        .blank().line(" *** DEADLOCK ***").blank()
        .heldLocks(task).blank().line("stack backtrace:")
        .taskLine(x).callTrace(task.stack(), x.task() == task ? task.lastCall() : null)
        .causalChain("Causal chain (oldest first):", x.cause("lock " + lock.name()));
    kernel.report(new Oops("lockdep", "WARNING: possible circular locking dependency detected", r.build(),
        owner(task), kernel.now(), task.cpu(), signature));
  }

  private void recursive(Exec x, Task task, KLock lock, Site site) {
    String signature = "lockdep:recursive:" + lock.name();
    if (!reported.add(signature)) return;
    ReportText r = new ReportText()
        .line("--------------------------------------------")
        .line(task.comm() + "/" + task.pid() + " is trying to acquire lock:")
        .line(" (" + lock.name() + ") at: " + site.function())
        .blank().line("but task is already holding lock:").line(" (" + lock.name() + ")")
        .blank().line(" Possible unsafe locking scenario:").blank()
        .line("       CPU0").line("       ----")
        .line("  lock(" + lock.name() + ");").line("  lock(" + lock.name() + ");")
        .blank().line(" *** DEADLOCK ***").blank()
        .taskLine(x).callTrace(task.stack(), task.lastCall())
        .causalChain("Causal chain (oldest first):", x.cause("lock " + lock.name()));
    kernel.report(new Oops("lockdep", "WARNING: possible recursive locking detected", r.build(), owner(task),
        kernel.now(), task.cpu(), signature));
  }

  /** A spinlock taken in hardirq context must never be taken with interrupts enabled elsewhere. */
  private void checkIrqUsage(Exec x, Task task, KLock lock, Site site) {
    ClassState st = usage.computeIfAbsent(lock.name(), k -> new ClassState());
    if (task.inInterrupt()) {
      if (st.inHardirq == null) st.inHardirq = site;
      if (st.hardirqOn != null) inconsistent(x, task, lock, "{HARDIRQ-ON-W} -> {IN-HARDIRQ-W}", st.hardirqOn, site);
    } else if (!task.irqsDisabled()) {
      if (st.hardirqOn == null) st.hardirqOn = site;
      if (st.inHardirq != null) inconsistent(x, task, lock, "{IN-HARDIRQ-W} -> {HARDIRQ-ON-W}", st.inHardirq, site);
    }
  }

  private void inconsistent(Exec x, Task task, KLock lock, String transition, Site earlier, Site now) {
    String signature = "lockdep:inconsistent:" + lock.name();
    if (!reported.add(signature)) return;
    ReportText r = new ReportText()
        .line("--------------------------------")
        .line("inconsistent " + transition + " usage.")
        .line(task.comm() + "/" + task.pid() + " [HC" + (task.inInterrupt() ? 1 : 0) + "[" + (task.inInterrupt() ? 1 : 0)
            + "]:SC0[0]:HE" + (task.irqsDisabled() ? 0 : 1) + ":SE1] takes:")
        .line(" (" + lock.name() + ") at: " + now.function())
        .line("the earlier usage was registered at:")
        .line("  " + earlier.line())
        .blank().line(" Possible unsafe locking scenario:").blank()
        .line("       CPU0").line("       ----")
        .line("  lock(" + lock.name() + ");").line("  <Interrupt>").line("    lock(" + lock.name() + ");")
        .blank().line(" *** DEADLOCK ***").blank()
        .taskLine(x).callTrace(task.stack(), task.lastCall())
        .causalChain("Causal chain (oldest first):", x.cause("lock " + lock.name()));
    kernel.report(new Oops("lockdep", "WARNING: inconsistent lock state", r.build(), owner(task), kernel.now(),
        task.cpu(), signature));
  }

  /** A task releases a lock it does not hold. */
  @Override
  public Oops badUnlock(Exec x, KLock lock, String holder) {
    Task t = x.task();
    ReportText r = new ReportText()
        .line("-------------------------------------")
        .line(t.comm() + "/" + t.pid() + " is trying to release lock (" + lock.name() + ") at: " + t.function())
        .line(holder == null ? "but there are no more locks to release!" : "but the lock is held by " + holder)
        .blank().line("other info that might help us debug this:").heldLocks(t)
        .blank().line("stack backtrace:").taskLine(x).callTrace(t.stack(), t.lastCall())
        .causalChain("Causal chain (oldest first):", x.cause("unlock " + lock.name()));
    return new Oops("lockdep", "WARNING: bad unlock balance detected!", r.build(), owner(t), kernel.now(), x.cpu(),
        "lockdep:bad-unlock:" + lock.name() + ":" + t.function());
  }

  private static Owner owner(Task t) {
    return t.owner() == null ? Owner.KERNEL : t.owner();
  }
}
