package dev.devemu.kernel.mem;

import dev.devemu.kernel.Cause;
import dev.devemu.kernel.Exec;
import java.util.List;

/** Who did something to memory, where and when: what KASAN prints under "Allocated by" and "Freed by". */
public record Stamp(String task, int pid, int cpu, long timeNanos, List<String> stack, Cause cause) {
  public static Stamp of(Exec x, String what) {
    return new Stamp(x.task().comm(), x.task().pid(), x.cpu(), x.now(), x.task().stack(), x.cause(what));
  }

  /** A device's DMA engine or another actor outside any task. */
  public static Stamp ofActor(String actor, long timeNanos, Cause cause) {
    return new Stamp(actor, 0, Cause.NO_CPU, timeNanos, List.of(), cause);
  }

  public String header() {
    return pid == 0 ? actor() + " at " + time() : "task " + pid + " (" + task + ") on cpu " + cpu + " at " + time();
  }

  private String actor() {
    return task;
  }

  private String time() {
    return String.format("%d.%06ds", timeNanos / 1_000_000_000L, (timeNanos / 1_000L) % 1_000_000L);
  }
}
