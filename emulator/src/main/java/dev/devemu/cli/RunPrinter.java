package dev.devemu.cli;

import dev.devemu.replay.RunRecipe;
import dev.devemu.report.ReportText;
import dev.devemu.scenario.Scenario;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Runner;
import dev.devemu.uapi.Errno;
import java.io.PrintWriter;
import java.util.Map;

/** Prints what a run found, the same way for run, replay and explore. */
final class RunPrinter {
  private RunPrinter() {}

  static String seconds(long nanos) {
    return String.format("%d.%06ds", nanos / 1_000_000_000L, (nanos / 1_000L) % 1_000_000L);
  }

  /** The line after {@code seed=N}: what runs, with the strategy as resolved (PCT's k measured). */
  static String header(Scenario scenario, RunRecipe recipe) {
    return "scenario=" + scenario.name() + " file=" + recipe.scenarioFile() + " variant="
        + scenario.variantText() + " strategy="
        + (recipe.choices() != null ? (recipe.lenient() ? "replay-lenient" : "replay") : recipe.strategy())
        + " cpus=" + scenario.machine().cpus() + " duration=" + seconds(scenario.durationNanos());
  }

  /** The reports, each followed by the command that replays the run; returns exactly what it printed. */
  static String reports(PrintWriter out, RunResult r, String replayCommand) {
    String text = ReportText.of(r.oopses(), replayCommand);
    out.print(text);
    return text;
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
    if (outcome.domains() != null) {
      // a testbed split into time domains: deliveries above are the guest's; these count every domain
      var d = outcome.domains();
      sb.append(" windows=").append(d.windows()).append(" link-messages=").append(d.crossings())
          .append(" all-deliveries=").append(d.choices());
      if (d.droppedFrames() > 0) sb.append(" link-frames-dropped=").append(d.droppedFrames());
    }
    if (outcome.traceSha256() != null) sb.append(" trace-sha256=").append(outcome.traceSha256());
    return sb.toString();
  }

  static String errno(int rc) {
    return Errno.describe(rc);
  }
}
