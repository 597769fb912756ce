package dev.devemu.kernel;

import dev.devemu.sim.Cause;
import java.util.List;
import java.util.function.Supplier;

/**
 * Who did something to memory, where and when: what KASAN prints under "Allocated by" and "Freed by". Every live
 * allocation keeps one, so it holds the task's frames as a shared immutable list and its causal chain as the
 * task's chain plus what was done: the last link is built only when a report prints it (most never are), so a
 * stamp costs a few pointers, not a copy of the stack and not a link of its own.
 */
public final class Stamp {
  private final String task;
  private final int pid;
  private final int cpu;
  private final long timeNanos;
  private final Task.FrameList frames;
  /** The task's chain when stamped, to be extended by {@link #what}; or, when {@code what} is null, the cause. */
  private final Cause chain;
  /** What was done (a String or a Supplier of one), or null. */
  private final Object what;

  private Stamp(String task, int pid, int cpu, long timeNanos, Task.FrameList frames, Cause chain, Object what) {
    this.task = task;
    this.pid = pid;
    this.cpu = cpu;
    this.timeNanos = timeNanos;
    this.frames = frames;
    this.chain = chain;
    this.what = what;
  }

  /** A stamp whose causal chain is {@code cause} as it is (null for none). */
  public Stamp(String task, int pid, int cpu, long timeNanos, Task.FrameList frames, Cause cause) {
    this(task, pid, cpu, timeNanos, frames, cause, null);
  }

  /** The running task did {@code what}: its chain ends with what {@link Exec#cause(String)} would add. */
  public static Stamp of(Exec x, String what) {
    return new Stamp(x.task().comm(), x.task().pid(), x.cpu(), x.now(), x.task().frames(), x.task().cause(), what);
  }

  /** Like {@link #of(Exec, String)} with the description built only if a report prints it. */
  public static Stamp of(Exec x, Supplier<String> what) {
    return new Stamp(x.task().comm(), x.task().pid(), x.cpu(), x.now(), x.task().frames(), x.task().cause(), what);
  }

  /** A device's DMA engine or another actor outside any task. */
  public static Stamp ofActor(String actor, long timeNanos, Cause cause) {
    return new Stamp(actor, 0, Cause.NO_CPU, timeNanos, null, cause, null);
  }

  public String task() {
    return task;
  }

  public int pid() {
    return pid;
  }

  public int cpu() {
    return cpu;
  }

  public long timeNanos() {
    return timeNanos;
  }

  public Task.FrameList frames() {
    return frames;
  }

  /** The causal chain that led here, newest link first: the link for this stamp is made now. */
  @SuppressWarnings("unchecked")
  public Cause cause() {
    if (what == null) return chain;
    // the link Exec.cause() makes: the task's name, this CPU and time, what was done
    if (what instanceof Supplier<?> s) {
      Supplier<String> text = (Supplier<String>) s;
      return chain == null ? Cause.rootLazy(task, cpu, timeNanos, text) : chain.thenLazy(task, cpu, timeNanos, text);
    }
    return chain == null ? new Cause(task, cpu, timeNanos, (String) what, null)
        : chain.then(task, cpu, timeNanos, (String) what);
  }

  /** The marked functions, innermost first. */
  public List<String> stack() {
    return Task.FrameList.toList(frames);
  }

  public String header() {
    return pid == 0 ? task + " at " + time() : "task " + pid + " (" + task + ") on cpu " + cpu + " at " + time();
  }

  private String time() {
    return String.format("%d.%06ds", timeNanos / 1_000_000_000L, (timeNanos / 1_000L) % 1_000_000L);
  }

  @Override
  public String toString() {
    return header();
  }
}
