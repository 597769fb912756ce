package dev.devemu.kernel;

import dev.devemu.sim.Cause;
import java.util.ArrayList;
import java.util.List;

/** The parts every report shares: the task line, the call trace of marked functions and the causal chain. */
public final class ReportText {
  private final List<String> lines = new ArrayList<>();

  public ReportText line(String s) {
    lines.add(s);
    return this;
  }

  public ReportText blank() {
    lines.add("");
    return this;
  }

  /** {@code CPU: 1 PID: 12 Comm: my_usb_probe Not tainted devemu} and the context. */
  public ReportText taskLine(Exec x) {
    Task t = x.task();
    lines.add("CPU: " + x.cpu() + " PID: " + t.pid() + " Comm: " + t.comm() + " " + (t.owner() == null
        ? "" : "Driver: " + t.owner()) + " " + (t.inInterrupt() ? "(hardirq)" : "(process context)"));
    return this;
  }

  public ReportText callTrace(List<String> stack, String lastCall) {
    lines.add("Call Trace (marked kernel functions, innermost first):");
    if (lastCall != null && !lastCall.isEmpty()) lines.add(" " + lastCall);
    for (String f : stack) lines.add(" " + f);
    return this;
  }

  public ReportText causalChain(String heading, Cause cause) {
    lines.add(heading);
    if (cause == null) {
      lines.add(" (none recorded)");
      return this;
    }
    for (Cause c : cause.chain()) lines.add(" " + c.line());
    return this;
  }

  /**
   * {@code Allocated by task 12 on cpu 1 at 0.004000s:} as mm/kasan/report.c prints a track, then the marked
   * functions, then (instead of a stack) the causal chain that led there.
   */
  public ReportText stamp(String heading, Stamp s) {
    lines.add(heading + " " + (s.pid() == 0 ? s.task() : "task " + s.pid()) + (s.cpu() < 0 ? "" : " on cpu " + s.cpu())
        + " at " + time(s.timeNanos()) + ":");
    for (String f : s.stack()) lines.add(" " + f);
    if (s.cause() != null) {
      for (Cause c : s.cause().chain()) lines.add("   " + c.line());
    }
    return this;
  }

  /** lockdep's list of held locks: {@code 2 locks held by comm/pid:} and {@code  #0: (name)}. */
  public ReportText heldLocks(Task t) {
    List<Object> held = t.heldLocks();
    lines.add((held.isEmpty() ? "no locks" : held.size() + " lock" + (held.size() == 1 ? "" : "s")) + " held by "
        + t.comm() + "/" + t.pid() + ":");
    for (int i = 0; i < held.size(); i++) {
      Object l = held.get(i);
      lines.add(" #" + i + ": (" + (l instanceof dev.devemu.kernel.KLock k ? k.name() : String.valueOf(l)) + ")");
    }
    return this;
  }

  public List<String> build() {
    return List.copyOf(lines);
  }

  public static String hex(long v) {
    return String.format("%016x", v);
  }

  public static String time(long nanos) {
    return String.format("%d.%06ds", nanos / 1_000_000_000L, (nanos / 1_000L) % 1_000_000L);
  }
}
