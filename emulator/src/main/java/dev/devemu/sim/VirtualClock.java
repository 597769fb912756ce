package dev.devemu.sim;

import java.util.PriorityQueue;

/**
 * Simulated time of one run, in nanoseconds since the run started. It moves only when the lane fires a timer,
 * never because the host got slower or faster.
 */
public final class VirtualClock {
  public static final long MICROSECOND = 1_000L;
  public static final long MILLISECOND = 1_000_000L;
  public static final long SECOND = 1_000_000_000L;

  private long now;
  private long sequence;
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();

  public long now() {
    return now;
  }

  /** Schedules an action on the lane thread at {@code now + delay}. Ties fire in scheduling order. */
  public Timer schedule(long delayNanos, String label, Runnable action) {
    if (delayNanos < 0) throw new IllegalArgumentException("negative delay " + delayNanos + " for " + label);
    Timer timer = new Timer(now + delayNanos, sequence++, label, action, false);
    timers.add(timer);
    return timer;
  }

  /**
   * Schedules like {@link #schedule}, a timer whose action sends nothing out of its lane's time domain (a device
   * model's local timer, {@code DeviceContext.scheduleLocal}): {@link #nextNonLocalDue} passes over it. It fires
   * exactly as any other timer, in the same order.
   */
  public Timer scheduleLocal(long delayNanos, String label, Runnable action) {
    if (delayNanos < 0) throw new IllegalArgumentException("negative delay " + delayNanos + " for " + label);
    Timer timer = new Timer(now + delayNanos, sequence++, label, action, true);
    timers.add(timer);
    return timer;
  }

  /**
   * When the next live timer that is not local is due ({@link #scheduleLocal}), or {@code Long.MAX_VALUE}: the
   * earliest moment a firing timer could make its domain send something.
   */
  long nextNonLocalDue() {
    Timer first = peek();
    if (first == null) return Long.MAX_VALUE;
    if (!first.local) return first.due;
    long due = Long.MAX_VALUE;
    for (Timer t : timers) {
      if (!t.local && !t.cancelled && t.due < due) due = t.due;
    }
    return due;
  }

  /** The next live timer, or null; cancelled timers are dropped on the way. */
  Timer peek() {
    Timer t = timers.peek();
    while (t != null && t.cancelled) {
      timers.poll();
      t = timers.peek();
    }
    return t;
  }

  /** Removes the next timer and moves time forward to its due time. */
  Timer fireNext() {
    Timer t = peek();
    if (t == null) return null;
    timers.poll();
    if (t.due > now) now = t.due;
    t.fired = true;
    return t;
  }

  /**
   * Moves time forward to {@code t} without firing anything: an input from outside the run (see
   * {@link ExternalInputs}) arrives at {@code t}, before the next timer is due.
   */
  void advanceTo(long t) {
    Timer next = peek();
    if (next != null && t > next.due) throw new IllegalStateException("input at " + t + " after a timer due at " + next.due);
    if (t > now) now = t;
  }

  public int pendingTimers() {
    return timers.size();
  }

  /** Drops the timers {@code drop} accepts (a lost time domain's, see {@link SimLane#discardTimers}). */
  void removeIf(java.util.function.Predicate<Timer> drop) {
    timers.removeIf(drop);
  }

  /** Drops every timer: the run is over and nothing may fire into the next one. */
  void clear() {
    timers.clear();
  }

  /** A scheduled action; cancel it to make sure it never fires. */
  public static final class Timer implements Comparable<Timer> {
    final long due;
    final long seq;
    final String label;
    final Runnable action;
    final boolean local;
    boolean cancelled;
    boolean fired;

    Timer(long due, long seq, String label, Runnable action, boolean local) {
      this.due = due;
      this.seq = seq;
      this.label = label;
      this.action = action;
      this.local = local;
    }

    public long due() {
      return due;
    }

    public String label() {
      return label;
    }

    /** @return true if this call prevented the timer from firing */
    public boolean cancel() {
      if (fired || cancelled) return false;
      cancelled = true;
      return true;
    }

    public boolean isPending() {
      return !fired && !cancelled;
    }

    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
