package dev.devemu.kernel.sync;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Task;
import java.util.ArrayDeque;

/**
 * {@code struct completion}: one side waits, the other says done. A completion that was never initialised has no
 * wait queue — {@code complete()} on it dereferences NULL, as in C when a callback runs before
 * {@code init_completion}.
 */
public final class Completion {
  private static final int COMPLETE_ALL = Integer.MAX_VALUE;

  private record Waiter(Task task, long episode) {}

  private final String name;
  private boolean initialized;
  private int done;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

  /** DECLARE_COMPLETION: initialised at once (what the safe flavour always does). */
  public static Completion initialized(String name) {
    Completion c = new Completion(name);
    c.initialized = true;
    return c;
  }

  /** Zeroed memory that still needs {@link #init()} (what C code holds before init_completion). */
  public static Completion uninitialized(String name) {
    return new Completion(name);
  }

  private Completion(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  public boolean isInitialized() {
    return initialized;
  }

  /** init_completion / reinit_completion. */
  public Op<Void> init() {
    return Op.step("init_completion", x -> {
      initialized = true;
      done = 0;
      return null;
    });
  }

  /** complete(): wakes one waiter or lets the next wait return at once. Safe in hardirq context. */
  public Op<Void> complete() {
    return Op.step("complete", x -> {
      checkInitialized(x, "complete");
      if (done != COMPLETE_ALL) done++;
      Waiter w = waiters.poll();
      if (w != null) {
        if (done != COMPLETE_ALL) done--;
        x.kernel().wake(w.task(), w.episode(), Boolean.TRUE);
      }
      return null;
    });
  }

  /** complete_all(). */
  public Op<Void> completeAll() {
    return Op.step("complete_all", x -> {
      checkInitialized(x, "complete_all");
      done = COMPLETE_ALL;
      Waiter w;
      while ((w = waiters.poll()) != null) x.kernel().wake(w.task(), w.episode(), Boolean.TRUE);
      return null;
    });
  }

  /** wait_for_completion(): no timeout — a completion that never comes is a hung task. */
  public Op<Void> waitForCompletion() {
    return Op.<Boolean>block("wait_for_completion", x -> waitOrSleep(x, -1)).map(ignored -> null);
  }

  /**
   * wait_for_completion_timeout(): returns the virtual nanoseconds left, or 0 on timeout (the kernel returns
   * jiffies left, 0 on timeout).
   */
  public Op<Long> waitForCompletionTimeout(long timeoutNanos) {
    long[] started = new long[1];
    return Op.<Boolean>block("wait_for_completion_timeout", x -> {
      started[0] = x.now();
      return waitOrSleep(x, timeoutNanos);
    }, (x, woke) -> (Boolean) woke).then(completed -> Op.step("wait_for_completion_timeout", x -> {
      if (!completed) return 0L;
      return Math.max(1L, timeoutNanos - (x.now() - started[0]));
    }));
  }

  private Op.Wait<Boolean> waitOrSleep(Exec x, long timeoutNanos) {
    x.kernel().bugs().mightSleep(x, "wait_for_completion(" + name + ")");
    checkInitialized(x, "wait_for_completion");
    if (done > 0) {
      if (done != COMPLETE_ALL) done--;
      return Op.Wait.ready(Boolean.TRUE);
    }
    Task me = x.task();
    long episode = me.waitEpisode() + 1;
    if (timeoutNanos >= 0 && x.kernel().faults().inject("completion_timeout", name)) {
      // The answer will come too late: the wait times out, and a complete() that arrives meanwhile only counts up
      // `done` — the stale completion a driver must reinit_completion() away.
      x.kernel().clock().schedule(timeoutNanos, "completion timeout " + name, () -> x.kernel().wake(me, episode,
          Boolean.FALSE));
      return Op.Wait.sleep(Op.WaitKind.UNINTERRUPTIBLE, "completion " + name);
    }
    Waiter w = new Waiter(me, episode);
    waiters.add(w);
    if (timeoutNanos >= 0) {
      x.kernel().clock().schedule(timeoutNanos, "completion timeout " + name, () -> {
        if (waiters.remove(w)) x.kernel().wake(me, episode, Boolean.FALSE);
      });
    }
    return Op.Wait.sleep(Op.WaitKind.UNINTERRUPTIBLE, "completion " + name);
  }

  private void checkInitialized(Exec x, String what) {
    if (!initialized) {
      // swake_up_locked() walks the wait list: a zeroed list head is a NULL pointer.
      throw x.kernel().fatal(x.kernel().bugs().nullPointer(x, 8, false,
          what + " on uninitialised completion " + name + " (swake_up_locked)"));
    }
  }
}
