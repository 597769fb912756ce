package dev.devemu.detect;

import dev.devemu.kernel.Cause;
import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Task;
import dev.devemu.kernel.mem.Stamp;
import java.util.ArrayList;
import java.util.List;

/** The parts every report shares: the task line, the call trace of marked functions and the causal chain. */
final class ReportText {
  private final List<String> lines = new ArrayList<>();

  ReportText line(String s) {
    lines.add(s);
    return this;
  }

  ReportText blank() {
    lines.add("");
    return this;
  }

  /** {@code CPU: 1 PID: 12 Comm: my_usb_probe Not tainted devemu} and the context. */
  ReportText taskLine(Exec x) {
    Task t = x.task();
    lines.add("CPU: " + x.cpu() + " PID: " + t.pid() + " Comm: " + t.comm() + " " + (t.owner() == null
        ? "" : "Driver: " + t.owner()) + " " + (t.inInterrupt() ? "(hardirq)" : "(process context)"));
    return this;
  }

  ReportText callTrace(List<String> stack, String lastCall) {
    lines.add("Call Trace (marked kernel functions, innermost first):");
    if (lastCall != null && !lastCall.isEmpty()) lines.add(" " + lastCall);
    for (String f : stack) lines.add(" " + f);
    return this;
  }

  ReportText causalChain(String heading, Cause cause) {
    lines.add(heading);
    if (cause == null) {
      lines.add(" (none recorded)");
      return this;
    }
    for (Cause c : cause.chain()) lines.add(" " + c.line());
    return this;
  }

  ReportText stamp(String heading, Stamp s) {
    lines.add(heading + " " + s.header() + ":");
    for (String f : s.stack()) lines.add(" " + f);
    if (s.cause() != null) {
      for (Cause c : s.cause().chain()) lines.add("   " + c.line());
    }
    return this;
  }

  List<String> build() {
    return List.copyOf(lines);
  }

  static String hex(long v) {
    return String.format("%016x", v);
  }

  static String time(long nanos) {
    return String.format("%d.%06ds", nanos / 1_000_000_000L, (nanos / 1_000L) % 1_000_000L);
  }
}
