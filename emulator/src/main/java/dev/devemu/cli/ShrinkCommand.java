package dev.devemu.cli;

import dev.devemu.explore.Shrinker;
import dev.devemu.replay.RunRecipe;
import dev.devemu.report.ReportFile;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.sim.ReplayStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.TraceFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code devemu shrink TRACE}: removes injected faults and recorded choices while the same bug (same signature)
 * still happens, and writes the shortest trace found.
 */
@Command(name = "shrink", mixinStandardHelpOptions = true,
    description = "Shrink a failing trace: drop faults and recorded choices while the same bug still reproduces, "
        + "and write the shortest trace found (it replays leniently: `devemu replay OUT`).%n"
        + "Exit codes: 3 shrunk (the bug reproduces), 1 internal error, 2 bad input (not a trace, or no bug in it).")
public final class ShrinkCommand implements Callable<Integer>, Subcommand {
  @Parameters(index = "0", paramLabel = "TRACE", description = "A trace file that shows a bug (from run/explore --trace).")
  Path file;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Where to write the shrunk trace (default: TRACE.shrunk).")
  Path outFile;

  @Option(names = "--max-runs", paramLabel = "N", defaultValue = "300",
      description = "At most N candidate runs (default 300).")
  int maxRuns;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.isRegularFile(file)) {
      err.println("devemu: " + file + ": no such file");
      return ExitCodes.BAD_INPUT;
    }
    TraceFile.Contents trace;
    try {
      if (ReportFile.looksLikeReport(file)) {
        err.println("devemu: " + file + ": shrink needs a trace file (run or explore with --trace FILE), not a report");
        return ExitCodes.BAD_INPUT;
      }
      trace = TraceFile.read(file);
    } catch (IOException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    Path target = outFile != null ? outFile : Path.of(file + ".shrunk");
    RunRecipe recipe = RunRecipe.fromTrace(trace);
    Shrinker.Result r;
    try (SimHost host = SimHost.start("devemu-shrink", 1)) {
      recipe.scenario();
      r = Shrinker.shrink(host, recipe, trace.deliveries(), maxRuns);
    } catch (ScenarioException e) {
      err.println("devemu: " + file + ": the scenario it carries is invalid: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    } catch (ReplayStrategy.TraceDivergedException e) {
      err.println("devemu: " + file + ": " + e.getMessage() + " (the trace was recorded by another build or scenario)");
      return ExitCodes.BAD_INPUT;
    } catch (Shrinker.NoBugException e) {
      err.println("devemu: " + file + ": " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    try {
      TraceFile.write(target, r.recipe().toTrace(r.outcome().traceSha256(), r.kept(), true));
    } catch (IOException e) {
      err.println("devemu: cannot write " + target + ": " + e.getMessage());
      return ExitCodes.INTERNAL;
    }
    out.println("shrink: bug " + r.signature());
    out.println("shrink: recorded choices " + r.choicesBefore() + " -> " + r.choicesAfter() + ", deliveries until the bug "
        + r.deliveriesBefore() + " -> " + r.deliveriesAfter() + ", faults " + r.faultsBefore() + " -> " + r.faultsAfter()
        + (r.recipe().droppedFaults().isEmpty() && !r.recipe().faultsDisabled() ? ""
            : " (dropped: " + (r.recipe().faultsDisabled() ? "all fault probabilities " : "")
                + String.join(" ", r.recipe().droppedFaults()) + ")")
        + (r.steeredFaultsBefore() == 0 ? "" : ", steered faults " + r.steeredFaultsBefore() + " -> " + r.steeredFaultsAfter())
        + ", " + r.runs() + " candidate runs");
    out.println("shrink: wrote " + target + " (replay: ./devemu replay " + RunRecipe.shellQuote(target.toString()) + ")");
    return ExitCodes.BUG_FOUND;
  }
}
