package dev.devemu.cli;

import dev.devemu.kernel.Variant;
import dev.devemu.replay.RunRecipe;
import dev.devemu.report.PerfettoTrace;
import dev.devemu.report.ReportFile;
import dev.devemu.testbed.Runner;
import dev.devemu.testbed.TraceFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The files a command can leave behind about a run: its trace, its timeline and its JSON report. */
final class OutputOptions {
  @Option(names = "--trace", paramLabel = "FILE",
      description = "Write the delivery trace (Protobuf devemu.v1.Trace); `devemu replay FILE` replays it.")
  Path trace;

  @Option(names = "--trace-json", paramLabel = "FILE",
      description = "Write the run as Chrome/Perfetto trace-event JSON (open it at https://ui.perfetto.dev).")
  Path traceJson;

  @Option(names = "--report", paramLabel = "FILE",
      description = "Write the JSON report (schema: docs/report-schema.md); `devemu replay FILE` replays it.")
  Path report;

  /**
   * Checks every requested file before the run starts.
   *
   * @return null, or the message to print (exit 2): which option, which path, why
   */
  String check() {
    String[][] files = {{"--trace", String.valueOf(trace)}, {"--trace-json", String.valueOf(traceJson)},
        {"--report", String.valueOf(report)}};
    Path[] paths = {trace, traceJson, report};
    for (int i = 0; i < paths.length; i++) {
      if (paths[i] == null) continue;
      String why = OutputPaths.checkFile(paths[i]);
      if (why != null) return files[i][0] + " " + files[i][1] + ": " + why;
    }
    return null;
  }

  /** How much of the run to record so that the requested files can be written. */
  Runner.TraceMode mode() {
    if (traceJson != null) return Runner.TraceMode.DETAILED;
    if (trace != null) return Runner.TraceMode.KEEP;
    return Runner.TraceMode.HASH;
  }

  /**
   * Writes every requested file.
   *
   * @return {@link ExitCodes#OK}, or {@link ExitCodes#INTERNAL} if a file could not be written (said on err)
   */
  int write(PrintWriter out, PrintWriter err, RunRecipe recipe, Runner.Outcome outcome, String replayCommand,
      String reportText, List<Variant> variants) {
    try {
      if (trace != null) {
        // a run that itself replayed a lenient (shrunk) choice list is recorded in full: strict replay works on it
        TraceFile.write(trace, recipe.withChoices(null, false).toTrace(outcome.traceSha256(),
            outcome.trace().deliveries(), false));
        long faultDecisions = outcome.trace().deliveries().stream()
            .filter(d -> dev.devemu.sim.FaultChoices.isFault(d.actor())).count();
        out.println("trace: " + trace + " (" + (outcome.trace().deliveries().size() - faultDecisions) + " deliveries"
            + (faultDecisions > 0 ? " and " + faultDecisions + " fault decisions" : "") + "; replay: ./devemu replay "
            + RunRecipe.shellQuote(trace.toString()) + ")");
      }
      if (traceJson != null) {
        PerfettoTrace.write(traceJson, outcome.result().scenario() + " seed " + recipe.seed(), outcome.trace(),
            outcome.result());
        out.println("timeline: " + traceJson + " (open it at https://ui.perfetto.dev)");
      }
      if (report != null) {
        ReportFile.write(report, ReportFile.of(recipe, replayCommand, outcome.result(), variants,
            outcome.traceSha256(), reportText));
        out.println("report: " + report + " (replay: ./devemu replay " + RunRecipe.shellQuote(report.toString()) + ")");
      }
    } catch (IOException e) {
      err.println("devemu: cannot write " + e.getMessage());
      return ExitCodes.INTERNAL;
    }
    return ExitCodes.OK;
  }
}
