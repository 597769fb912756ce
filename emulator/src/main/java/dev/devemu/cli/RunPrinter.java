package dev.devemu.cli;

import dev.devemu.kernel.Errno;
import dev.devemu.kernel.Oops;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Runner;
import java.io.PrintWriter;
import java.util.Map;

/** Prints what a run found, the same way for run, replay and explore. */
final class RunPrinter {
  private RunPrinter() {}

  static String seconds(long nanos) {
    return String.format("%d.%06ds", nanos / 1_000_000_000L, (nanos / 1_000L) % 1_000_000L);
  }

  /** The reports, each followed by the command that replays the run. */
  static void reports(PrintWriter out, RunResult r, String replayCommand) {
    for (Oops o : r.oopses()) {
      out.print(o.format());
      out.println("Blamed on: " + o.owner() + "   detector: " + o.detector() + "   signature: " + o.signature());
      out.println("Replay: " + replayCommand);
      out.println();
    }
  }

  /** The one-line summary; the trace hash is its last field. */
  static String summary(Runner.Outcome outcome) {
    RunResult r = outcome.result();
    StringBuilder sb = new StringBuilder("summary: outcome=").append(r.outcome())
        .append(" virtual=").append(seconds(r.virtualNanos()))
        .append(" deliveries=").append(r.choices())
        .append(" oopses=").append(r.oopses().size());
    for (Map.Entry<String, Long> e : r.exposureNanos().entrySet()) {
      sb.append(" bound[").append(e.getKey()).append("]=").append(seconds(e.getValue()));
    }
    if (!r.probeFailures().isEmpty()) sb.append(" probe-failures=").append(r.probeFailures().size());
    if (r.faultsInjected() > 0) sb.append(" faults=").append(r.faultsInjected());
    if (outcome.traceSha256() != null) sb.append(" trace-sha256=").append(outcome.traceSha256());
    return sb.toString();
  }

  static String errno(int rc) {
    return Errno.describe(rc);
  }
}
