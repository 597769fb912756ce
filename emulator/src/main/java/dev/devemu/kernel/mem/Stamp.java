package dev.devemu.kernel.mem;

import dev.devemu.kernel.Cause;
import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Task;
import java.util.List;

/**
 * Who did something to memory, where and when: what KASAN prints under "Allocated by" and "Freed by". Every live
 * allocation and resource keeps one, so it holds the task's frames as a shared immutable list and its causal
 * text lazily — it costs a few pointers, not a copy of the stack.
 */
public record Stamp(String task, int pid, int cpu, long timeNanos, Task.FrameList frames, Cause cause) {
  public static Stamp of(Exec x, String what) {
    return new Stamp(x.task().comm(), x.task().pid(), x.cpu(), x.now(), x.task().frames(), x.cause(() -> what));
  }

  /** Like {@link #of(Exec, String)} with the description built only if a report prints it. */
  public static Stamp of(Exec x, java.util.function.Supplier<String> what) {
    return new Stamp(x.task().comm(), x.task().pid(), x.cpu(), x.now(), x.task().frames(), x.cause(what));
  }

  /** A device's DMA engine or another actor outside any task. */
  public static Stamp ofActor(String actor, long timeNanos, Cause cause) {
    return new Stamp(actor, 0, Cause.NO_CPU, timeNanos, null, cause);
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
}
