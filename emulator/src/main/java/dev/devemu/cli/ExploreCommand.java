package dev.devemu.cli;

import dev.devemu.explore.Explorer;
import dev.devemu.kernel.Variant;
import dev.devemu.replay.RunRecipe;
import dev.devemu.replay.Sessions;
import dev.devemu.replay.StrategySpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.Runner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code devemu explore SCENARIO --seeds N}: runs seeds in order until one finds a bug, prints it with the
 * command that replays it; with {@code --stats}, runs every seed under each strategy and counts.
 */
@Command(name = "explore", mixinStandardHelpOptions = true,
    description = "Search seeds for a bug: run seeds FIRST, FIRST+1, ... until one reports a bug (or N runs), print "
        + "the report and its replay command.%n"
        + "With --stats, run all N seeds under every strategy given and print how many found a bug.%n"
        + "Exit codes: 3 a bug was found, 0 none in N seeds, 1 internal error, 2 bad input, 4 not a run (no "
        + "seed bound the driver: its probe failed or it matched no device).")
public final class ExploreCommand implements Callable<Integer>, Subcommand {
  @Parameters(index = "0", paramLabel = "SCENARIO", description = "Scenario file (HOCON).")
  Path scenarioFile;

  @Option(names = "--seeds", paramLabel = "N", defaultValue = "100", description = "How many seeds to try (default 100).")
  int seeds;

  @Option(names = "--first-seed", paramLabel = "S", defaultValue = "1", description = "The first seed (default 1).")
  long firstSeed;

  @Option(names = "--variant", converter = VariantConverter.class, paramLabel = "raw|safe",
      description = "Override every driver's variant: raw or safe.")
  Variant variant;

  @Option(names = "--strategy", defaultValue = "random", split = ",",
      description = "random, or pct[:DEPTH[:K]]; with --stats, a comma-separated list (random,pct:2,pct:3). PCT's K "
          + "is measured from a first run of the first seed when not given. A +swarm suffix (random+swarm) makes each seed "
          + "run its own variant of the fault plan; a +steer suffix (random+steer, pct:3+steer) lets the strategy decide "
          + "the fault points (recorded in the trace).")
  List<String> strategies;

  @Option(names = "--stats", description = "Run all N seeds under each strategy and print how many found a bug.")
  boolean stats;

  @Option(names = {"-v", "--verbose"}, description = "Print the kernel log of the run that found the bug.")
  boolean verbose;

  @Mixin
  OutputOptions files;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (seeds < 1) {
      err.println("devemu: --seeds must be at least 1, got " + seeds);
      return ExitCodes.BAD_INPUT;
    }
    Scenario scenario;
    List<StrategySpec> specs = new ArrayList<>();
    try {
      scenario = ScenarioLoader.load(scenarioFile).withVariant(variant);
      for (String s : strategies) specs.add(StrategySpec.parse(s));
    } catch (ScenarioException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    } catch (IllegalArgumentException e) {
      err.println("devemu: --strategy: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    if (!stats && specs.size() != 1) {
      err.println("devemu: explore takes one --strategy (several only with --stats)");
      return ExitCodes.BAD_INPUT;
    }
    String unwritable = files.check();
    if (unwritable != null) {
      err.println("devemu: " + unwritable);
      return ExitCodes.BAD_INPUT;
    }
    long last = firstSeed + seeds - 1;
    out.println("explore: scenario=" + scenario.name() + " file=" + scenarioFile + " variant="
        + scenario.variantText() + " seeds=" + firstSeed + ".." + last);
    out.flush();
    try (SimHost host = SimHost.start("devemu-explore", 1)) {
      List<RunRecipe> templates = new ArrayList<>();
      for (StrategySpec s : specs) {
        StrategySpec resolved = Sessions.resolve(host, s, scenario, firstSeed);
        if (resolved != s) {
          out.println("explore: " + s + ": k=" + resolved.k() + " decisions"
              + (resolved.steer() ? ", F=" + resolved.f() + " fault decisions" : "") + ", measured by a pct:1 run of seed "
              + firstSeed + " (panic-on-oops off) -> strategy " + resolved);
        }
        templates.add(RunRecipe.of(scenarioFile.toString(), scenario.source(), firstSeed, variant, resolved));
      }
      out.flush();
      return stats ? stats(out, host, templates) : first(out, err, host, templates.get(0), scenario);
    }
  }

  private int first(PrintWriter out, PrintWriter err, SimHost host, RunRecipe template, Scenario scenario) {
    out.println("explore: strategy=" + template.strategy() + ", stopping at the first bug");
    out.flush();
    Explorer.Search search = Explorer.search(host, template, firstSeed, seeds);
    Explorer.Found found = search.found();
    if (search.nonRuns() > 0) {
      String line = "explore: " + search.nonRuns() + " of " + search.runs() + " run" + (search.runs() == 1 ? "" : "s")
          + " tested nothing (first: seed " + search.firstNonRunSeed() + ", " + search.firstNonRun().describe() + ")";
      out.println(line);
      if (found == null) err.println("devemu: " + line);
    }
    if (found == null) {
      if (search.nonRuns() == search.runs()) {
        out.println("explore: not a run in " + seeds + " seed" + (seeds == 1 ? "" : "s") + ": no driver-under-test "
            + "ever bound, so nothing was tested");
        return ExitCodes.NOT_BOUND;
      }
      out.println("explore: no bug in " + seeds + " seed" + (seeds == 1 ? "" : "s") + " (" + firstSeed + ".."
          + (firstSeed + seeds - 1) + ") under " + template.strategy()
          + (search.nonRuns() > 0 ? " (" + (search.runs() - search.nonRuns()) + " of them real runs)" : ""));
      return ExitCodes.OK;
    }
    out.println("explore: seed " + found.seed() + " found a bug (" + found.first().detector() + ") after "
        + found.runs() + " run" + (found.runs() == 1 ? "" : "s"));
    out.println("seed=" + found.seed());
    out.println(RunPrinter.header(scenario, found.recipe()));
    Runner.Outcome outcome = found.outcome();
    if (files.mode() != Runner.TraceMode.HASH) {
      // run the seed again, recording what the requested files need; it must be the same run
      outcome = Sessions.run(host, found.recipe(), scenario, files.mode());
      if (!outcome.traceSha256().equals(found.outcome().traceSha256())) {
        err.println("devemu: internal error: seed " + found.seed() + " ran differently the second time");
        return ExitCodes.INTERNAL;
      }
    }
    return RunCommand.finish(out, err, found.recipe(), scenario, outcome, found.recipe().seedCommand(), verbose,
        files);
  }

  private int stats(PrintWriter out, SimHost host, List<RunRecipe> templates) {
    out.println();
    out.println("| strategy | seeds | found | rate | first seed found | expected seeds to find (1/rate) | first reports "
        + "| not runs |");
    out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
    boolean any = false;
    boolean allNonRuns = true;
    List<String> why = new ArrayList<>();
    for (RunRecipe t : templates) {
      Explorer.Stats s = Explorer.stats(host, t, firstSeed, seeds);
      any |= s.found() > 0;
      String expected = s.found() == 0 ? "> " + seeds : String.format("%.1f", 1 / s.rate());
      String signatures = s.signatures().entrySet().stream().map(e -> e.getKey() + " ×" + e.getValue())
          .collect(Collectors.joining(", "));
      out.println("| " + t.strategy() + " | " + s.seeds() + " | " + s.found() + " | "
          + String.format("%.1f%%", 100 * s.rate()) + " | " + (s.firstFound() < 0 ? "-" : String.valueOf(s.firstFound()))
          + " | " + expected + " | " + (signatures.isEmpty() ? "-" : signatures) + " | " + s.nonRuns() + " |");
      out.flush();
      allNonRuns &= s.nonRuns() == s.seeds();
      if (s.firstNonRun() != null) {
        why.add(t.strategy() + ", first seed " + s.firstNonRunSeed() + ": " + s.firstNonRun().describe());
      }
    }
    // a run in which a driver never bound tested nothing: it is counted apart, never as "no bug"
    for (String w : why) out.println("explore: not runs (a driver never bound) under " + w);
    if (any) return ExitCodes.BUG_FOUND;
    return allNonRuns && !templates.isEmpty() ? ExitCodes.NOT_BOUND : ExitCodes.OK;
  }
}
