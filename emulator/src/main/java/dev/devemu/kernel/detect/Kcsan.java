package dev.devemu.kernel.detect;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.ReportText;
import dev.devemu.kernel.Task;
import dev.devemu.kernel.mem.Allocation;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A data-race detector in the spirit of KCSAN: two contexts touch the same bytes of a tracked object, at least
 * one writes, they hold no lock in common, and the second access comes while the first is still in progress —
 * its task has made no further kernel call (KCSAN's watchpoint: a call may order the two, by an unlock, a
 * request_irq or a message) — and within {@code kcsan-window} scheduling choices of it. Each signature is
 * reported once per run, in the words of kernel/kcsan/report.c.
 */
public final class Kcsan {
  private static final int HISTORY = 8;

  private record Access(Task task, long callsAt, int cpu, boolean write, long choice, long offset, int size,
      List<Object> locks, Task.FrameList frames, String what, long timeNanos) {
    List<String> stack() {
      return Task.FrameList.toList(frames);
    }
  }

  private final Kernel kernel;
  private final Set<String> reported = new HashSet<>();
  /** Allocations touched recently, oldest first (a ring), so that idle objects drop their history (and tasks). */
  private Allocation[] touched = new Allocation[256];
  private long[] touchedAt = new long[256];
  private int head;
  private int count;
  private boolean enabled = true;
  /**
   * Happens-before edges the kernel's own synchronisation creates (a URB's submission path takes the HCD's lock,
   * so everything the submitter did before usb_submit_urb is ordered before the completion handler): for each
   * task, the choice up to which it is ordered after each other task.
   */
  private final java.util.IdentityHashMap<Task, java.util.IdentityHashMap<Task, Long>> orderedAfter =
      new java.util.IdentityHashMap<>();

  Kcsan(Kernel kernel) {
    this.kernel = kernel;
  }

  public void enabled(boolean on) {
    enabled = on;
  }

  /** A plain (not atomic, not READ_ONCE/WRITE_ONCE) CPU access to tracked memory. */
  public void access(Exec x, Allocation a, long offset, int size, boolean write, String what) {
    if (!enabled || !a.live()) return;
    long choice = kernel.run().choices();
    Task me = x.task();
    List<Object> myLocks = me.heldLocksSnapshot();
    @SuppressWarnings("unchecked")
    ArrayDeque<Access> history = (ArrayDeque<Access>) a.raceHistory();
    if (history == null) {
      history = new ArrayDeque<>(HISTORY);
      a.raceHistory(history);
    }
    java.util.IdentityHashMap<Task, Long> after = orderedAfter.isEmpty() ? null : orderedAfter.get(me);
    for (Access other : history) {
      if (other.task() == me || (!write && !other.write())) continue;
      if (after != null) {
        Long upTo = after.get(other.task());
        if (upTo != null && other.choice() <= upTo) continue;
      }
      if (other.offset() + other.size() <= offset || offset + size <= other.offset()) continue;
      if (choice - other.choice() > kernel.config().kcsanWindowChoices()) continue;
      // KCSAN's watchpoint lives only while the other access is in progress: once its task has made another
      // kernel call (an unlock, a request_irq, a message), that call may order the two accesses.
      if (other.task().calls() != other.callsAt()) continue;
      Task.State s = other.task().state();
      if (s == Task.State.DONE || s == Task.State.KILLED) continue;
      if (shareLock(myLocks, other.locks())) continue;
      report(x, a, new Access(me, me.calls(), x.cpu(), write, choice, offset, size, myLocks, me.frames(), what,
          x.now()), other);
      break;
    }
    if (history.size() == HISTORY) history.removeFirst();
    history.addLast(new Access(me, me.calls(), x.cpu(), write, choice, offset, size, myLocks, me.frames(), what,
        x.now()));
    forgetIdle(a, choice);
  }

  /**
   * Accesses older than the window can never be half of a report, so an object not touched within the window
   * drops its history; without this every idle device kept its last accesses (and their tasks) alive.
   */
  private void forgetIdle(Allocation a, long choice) {
    if (count == touched.length) grow();
    int tail = (head + count) % touched.length;
    touched[tail] = a;
    touchedAt[tail] = choice;
    count++;
    long horizon = choice - kernel.config().kcsanWindowChoices();
    while (count > 0 && touchedAt[head] < horizon) {
      Allocation old = touched[head];
      touched[head] = null;
      head = (head + 1) % touched.length;
      count--;
      @SuppressWarnings("unchecked")
      ArrayDeque<Access> h = (ArrayDeque<Access>) old.raceHistory();
      if (h != null && !h.isEmpty() && h.peekLast().choice() < horizon) old.raceHistory(null);
    }
  }

  private void grow() {
    Allocation[] t = new Allocation[touched.length * 2];
    long[] at = new long[touched.length * 2];
    for (int i = 0; i < count; i++) {
      t[i] = touched[(head + i) % touched.length];
      at[i] = touchedAt[(head + i) % touched.length];
    }
    touched = t;
    touchedAt = at;
    head = 0;
  }

  /** What a release published: the releasing task, when, and what it was itself ordered after. */
  private record Release(Task task, long choice, java.util.IdentityHashMap<Task, Long> inherited) {}

  /**
   * A release point of {@code releaser} now (it hands something over, e.g. submits a URB): the token carries it
   * to whoever acquires it later.
   */
  public Object release(Task releaser) {
    return new Release(releaser, kernel.run().choices(), orderedAfter.get(releaser));
  }

  /**
   * {@code acquirer} synchronises with a release (the completion handler of a submitted URB runs): accesses the
   * releaser made before it, and those it was itself ordered after, can no longer race with {@code acquirer}.
   */
  public void acquire(Object token, Task acquirer) {
    if (!enabled || !(token instanceof Release r) || r.task() == acquirer) return;
    java.util.IdentityHashMap<Task, Long> after = orderedAfter.computeIfAbsent(acquirer,
        k -> new java.util.IdentityHashMap<>(4));
    if (alive(r.task())) after.merge(r.task(), r.choice(), Math::max);
    // Only live tasks can still race, so only they are worth remembering: the chain of completion handlers
    // that resubmit one another would otherwise grow every map without end.
    if (r.inherited() != null) r.inherited().forEach((t, c) -> {
      if (t != acquirer && alive(t)) after.merge(t, c, Math::max);
    });
    if (orderedAfter.size() > 64) orderedAfter.keySet().removeIf(t -> !alive(t));
  }

  private static boolean alive(Task t) {
    return t.state() != Task.State.DONE && t.state() != Task.State.KILLED;
  }

  private static boolean shareLock(List<Object> a, List<Object> b) {
    for (Object l : a) {
      if (b.contains(l)) return true;
    }
    return false;
  }

  private void report(Exec x, Allocation a, Access mine, Access other) {
    String f1 = other.stack().isEmpty() ? other.task().comm() : other.stack().get(0);
    String f2 = mine.stack().isEmpty() ? mine.task().comm() : mine.stack().get(0);
    String first = f1.compareTo(f2) <= 0 ? f1 : f2;
    String second = first.equals(f1) ? f2 : f1;
    String signature = "kcsan:" + first + "/" + second + ":" + mine.what().replaceAll("\\[\\d+\\]", "[]");
    if (!reported.add(signature)) return;
    ReportText r = new ReportText().blank();
    describe(r, a, other);
    r.blank();
    describe(r, a, mine);
    r.blank().line(mine.locks().isEmpty() && other.locks().isEmpty() ? "no locks held by either access"
        : "no lock held in common (" + names(other.locks()) + " vs " + names(mine.locks()) + ")")
        .blank().line("Reported by Kernel Concurrency Sanitizer on:").taskLine(x)
        .causalChain("Causal chain of the second access (oldest first):", x.cause(mine.what()));
    kernel.report(new Oops("kcsan", "BUG: KCSAN: data-race in " + first + " / " + second, r.build(),
        dev.devemu.kernel.Bugs.owner(x), x.now(), x.cpu(), signature));
  }

  /** {@code write to 0x… of 8 bytes by task 12 on cpu 1:} (or {@code by interrupt}), then the functions. */
  private static void describe(ReportText r, Allocation a, Access acc) {
    r.line((acc.write() ? "write" : "read") + " to 0x" + ReportText.hex(a.address() + acc.offset()) + " of "
        + acc.size() + " bytes by " + (acc.task().inInterrupt() ? "interrupt" : "task " + acc.task().pid())
        + " on cpu " + acc.cpu() + ":");
    for (String f : acc.stack()) r.line(" " + f);
    if (acc.stack().isEmpty()) r.line(" " + acc.task().comm());
    r.line("  [" + acc.what() + " by " + acc.task().comm() + "/" + acc.task().pid() + " at "
        + ReportText.time(acc.timeNanos()) + "]");
  }

  private static String names(List<Object> locks) {
    if (locks.isEmpty()) return "none";
    StringBuilder sb = new StringBuilder();
    for (Object l : locks) {
      if (sb.length() > 0) sb.append(", ");
      sb.append(l instanceof dev.devemu.kernel.KLock k ? k.name() : String.valueOf(l));
    }
    return sb.toString();
  }
}
