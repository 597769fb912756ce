package dev.devemu.cli;

import dev.devemu.replay.RunRecipe;
import dev.devemu.replay.Sessions;
import dev.devemu.report.ReportFile;
import dev.devemu.report.ReportText;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.sim.ReplayStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.Runner;
import dev.devemu.testbed.TraceFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code devemu replay REPORT_OR_TRACE}: makes a recorded run again — from a JSON report (by its recipe: scenario
 * text, seed, variant, strategy) or from a Protobuf trace (by its recorded choices) — and says whether it
 * reproduced: the same report text byte for byte, or the same trace hash.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Replay a run from its JSON report or its trace file; no scenario file is needed.%n"
        + "Exit codes: 3 reproduced a bug (identical report), 0 reproduced a clean run, 5 did not reproduce,"
        + " 1 internal error, 2 bad input (the file is not a report or trace, or does not fit this build).")
public final class ReplayCommand implements Callable<Integer>, Subcommand {
  @Parameters(index = "0", paramLabel = "REPORT_OR_TRACE",
      description = "A report (JSON), a trace (Protobuf) or a recorded session (devemu usbip --record).")
  Path file;

  @Option(names = {"-v", "--verbose"}, description = "Print the kernel log of the run.")
  boolean verbose;

  @Option(names = "--lanes", paramLabel = "N", defaultValue = "1",
      description = "Threads for the time domains of a scenario that declares them (default: 1); the trace is the "
          + "same for every N, so a trace recorded on N lanes replays on any.")
  int lanes;

  @Mixin
  OutputOptions files;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (Files.isRegularFile(file)) {
      for (RecordedSession kind : java.util.ServiceLoader.load(RecordedSession.class)) {
        if (kind.recognises(file)) return kind.replay(file, spec.commandLine().getOut(), spec.commandLine().getErr());
      }
    }
    if (lanes < 1 || lanes > 64) {
      spec.commandLine().getErr().println("devemu: --lanes must be between 1 and 64, got " + lanes);
      return ExitCodes.BAD_INPUT;
    }
    return replay(file, null, verbose, files, spec.commandLine().getOut(), spec.commandLine().getErr(), lanes);
  }

  static int replay(Path file, Long seedCheck, boolean verbose, OutputOptions files, PrintWriter out,
      PrintWriter err) {
    return replay(file, seedCheck, verbose, files, out, err, 1);
  }

  static int replay(Path file, Long seedCheck, boolean verbose, OutputOptions files, PrintWriter out,
      PrintWriter err, int lanes) {
    if (!Files.isRegularFile(file)) {
      err.println("devemu: " + file + ": no such file");
      return ExitCodes.BAD_INPUT;
    }
    RunRecipe recipe;
    String expectedText = null;
    String expectedSha = null;
    String replayCommand;
    String kind;
    try {
      if (ReportFile.looksLikeReport(file)) {
        ReportFile.Contents c = ReportFile.read(file);
        recipe = c.recipe();
        expectedText = c.reportText();
        // the report ends with the command its run printed: print the same, so the text can be identical
        replayCommand = c.replayCommand() != null ? c.replayCommand() : "./devemu replay " + RunRecipe.shellQuote(file.toString());
        kind = "report";
      } else {
        TraceFile.Contents t = TraceFile.read(file);
        recipe = RunRecipe.fromTrace(t);
        expectedSha = t.sha256().isEmpty() ? null : t.sha256();
        replayCommand = "./devemu replay " + RunRecipe.shellQuote(file.toString());
        kind = "trace";
      }
    } catch (IOException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    if (seedCheck != null && seedCheck != recipe.seed()) {
      err.println("devemu: --seed " + seedCheck + " contradicts the seed " + recipe.seed() + " in " + file);
      return ExitCodes.BAD_INPUT;
    }
    Scenario scenario;
    try {
      scenario = recipe.scenario();
    } catch (ScenarioException e) {
      err.println("devemu: " + file + ": the scenario it carries is invalid: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }

    String unwritable = files.check();
    if (unwritable != null) {
      err.println("devemu: " + unwritable);
      return ExitCodes.BAD_INPUT;
    }
    out.println("seed=" + recipe.seed());
    out.println(RunPrinter.header(scenario, recipe));
    out.println("replay: " + file + " (" + kind + (expectedText != null
        ? ", expects report sha256 " + ReportText.sha256(expectedText)
        : expectedSha != null ? ", expects trace sha256 " + expectedSha : "") + ")");
    out.flush();
    Runner.Outcome outcome;
    try (SimHost host = SimHost.start("devemu-replay", 1)) {
      outcome = Sessions.run(host, recipe, scenario, files.mode(), lanes);
    } catch (ReplayStrategy.TraceDivergedException e) {
      err.println("devemu: " + file + ": " + e.getMessage() + " (the trace was recorded by another build or scenario)");
      return ExitCodes.BAD_INPUT;
    }
    int code = RunCommand.finish(out, err, recipe, scenario, outcome, replayCommand, verbose, files);
    if (code == ExitCodes.INTERNAL) return code;

    String got = ReportText.of(outcome.result().oopses(), replayCommand);
    if (expectedText != null) {
      if (got.equals(expectedText)) {
        out.println("replay: reproduced: identical report (" + outcome.result().oopses().size() + " oops"
            + (outcome.result().oopses().size() == 1 ? "" : "es") + ", report sha256 " + ReportText.sha256(got) + ")");
        return code;
      }
      out.println("replay: NOT reproduced: the report differs (expected sha256 " + ReportText.sha256(expectedText)
          + ", got " + ReportText.sha256(got) + ")");
      return ExitCodes.NOT_REPRODUCED;
    }
    if (expectedSha != null) {
      if (expectedSha.equals(outcome.traceSha256())) {
        out.println("replay: reproduced: same trace sha256 " + expectedSha);
        return code;
      }
      out.println("replay: NOT reproduced: trace sha256 " + outcome.traceSha256() + ", recorded " + expectedSha);
      return ExitCodes.NOT_REPRODUCED;
    }
    return code;
  }
}
