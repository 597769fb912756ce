package dev.devemu.explore;

import dev.devemu.kernel.Oops;
import dev.devemu.replay.RunRecipe;
import dev.devemu.replay.Sessions;
import dev.devemu.replay.StrategySpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.NonRun;
import dev.devemu.testbed.Runner;
import java.util.Map;
import java.util.TreeMap;

/**
 * Searches seeds for a bug: one run per seed, in order, under one strategy. {@link #firstBug} stops at the first
 * seed whose run reports something; {@link #stats} runs them all and counts, which is how strategies are
 * compared ({@code explore --stats}, {@code docs/exploration.md}).
 */
public final class Explorer {
  private Explorer() {}

  /** The first seed that found a bug: its recipe (replays it) and its run. */
  public record Found(RunRecipe recipe, int runs, Runner.Outcome outcome) {
    public long seed() {
      return recipe.seed();
    }

    public Oops first() {
      return outcome.result().oopses().get(0);
    }
  }

  /**
   * Runs seeds {@code firstSeed, firstSeed + 1, …} until one reports a bug or {@code seeds} runs are done.
   *
   * @param template the recipe of every run but its seed; its strategy must be resolved
   * @return the first run that found a bug, or null
   */
  public static Found firstBug(SimHost host, RunRecipe template, long firstSeed, int seeds) {
    return search(host, template, firstSeed, seeds).found();
  }

  /**
   * What a search for the first bug saw: the bug (or null), and the runs before it that were not runs at all
   * (a driver never bound: they tested nothing, so "no bug" over them means nothing).
   *
   * @param nonRuns runs before the first bug (or of all seeds) in which a driver never bound
   * @param firstNonRun the first of them, or null
   * @param firstNonRunSeed its seed, or -1
   */
  public record Search(Found found, int runs, int nonRuns, NonRun firstNonRun, long firstNonRunSeed) {}

  /** Like {@link #firstBug}, also counting the runs that were not runs. */
  public static Search search(SimHost host, RunRecipe template, long firstSeed, int seeds) {
    requireResolved(template);
    Scenario scenario = template.scenario();
    int nonRuns = 0;
    NonRun firstNonRun = null;
    long firstNonRunSeed = -1;
    for (int i = 0; i < seeds; i++) {
      RunRecipe recipe = template.withSeed(firstSeed + i);
      Runner.Outcome o = Sessions.run(host, recipe, scenario, Runner.TraceMode.HASH);
      if (o.result().bugFound()) return new Search(new Found(recipe, i + 1, o), i + 1, nonRuns, firstNonRun,
          firstNonRunSeed);
      var n = NonRun.of(scenario, o.result());
      if (n.isPresent()) {
        nonRuns++;
        if (firstNonRun == null) {
          firstNonRun = n.get();
          firstNonRunSeed = recipe.seed();
        }
      }
    }
    return new Search(null, seeds, nonRuns, firstNonRun, firstNonRunSeed);
  }

  /**
   * What a strategy found over a range of seeds.
   *
   * @param found seeds whose run reported a bug
   * @param firstFound the first such seed, or -1
   * @param runsToFirst how many runs it took to find the first (0 if none)
   * @param signatures how many seeds found each first-report signature
   * @param detectors how many seeds found a bug of each detector
   * @param deliveries total deliveries over all runs
   * @param nonRuns seeds whose run reported nothing and in which a driver never bound (not clean: untested)
   * @param firstNonRun the first of them, or null
   * @param firstNonRunSeed its seed, or -1
   */
  public record Stats(StrategySpec strategy, long firstSeed, int seeds, int found, long firstFound, int runsToFirst,
      Map<String, Integer> signatures, Map<String, Integer> detectors, long deliveries, int nonRuns,
      NonRun firstNonRun, long firstNonRunSeed) {
    /** Fraction of seeds that found a bug. */
    public double rate() {
      return seeds == 0 ? 0 : (double) found / seeds;
    }
  }

  /** Runs every seed of the range and counts what they found (each run's first report). */
  public static Stats stats(SimHost host, RunRecipe template, long firstSeed, int seeds) {
    return stats(host, 0, template, firstSeed, seeds);
  }

  /**
   * Like {@link #stats(SimHost, RunRecipe, long, int)} on lane {@code lane} of the host: calls on different lanes
   * may run at once, each on its own thread.
   */
  public static Stats stats(SimHost host, int lane, RunRecipe template, long firstSeed, int seeds) {
    requireResolved(template);
    Scenario scenario = template.scenario();
    int found = 0;
    long firstFound = -1;
    int runsToFirst = 0;
    long deliveries = 0;
    int nonRuns = 0;
    NonRun firstNonRun = null;
    long firstNonRunSeed = -1;
    Map<String, Integer> signatures = new TreeMap<>();
    Map<String, Integer> detectors = new TreeMap<>();
    for (int i = 0; i < seeds; i++) {
      long seed = firstSeed + i;
      Runner.Outcome o = Sessions.run(host, lane, template.withSeed(seed), scenario, Runner.TraceMode.NONE);
      deliveries += o.result().choices();
      if (!o.result().bugFound()) {
        var n = NonRun.of(scenario, o.result());
        if (n.isPresent()) {
          nonRuns++;
          if (firstNonRun == null) {
            firstNonRun = n.get();
            firstNonRunSeed = seed;
          }
        }
        continue;
      }
      Oops first = o.result().oopses().get(0);
      found++;
      if (firstFound < 0) {
        firstFound = seed;
        runsToFirst = i + 1;
      }
      signatures.merge(first.signature(), 1, Integer::sum);
      detectors.merge(first.detector(), 1, Integer::sum);
    }
    return new Stats(template.strategy(), firstSeed, seeds, found, firstFound, runsToFirst, signatures, detectors,
        deliveries, nonRuns, firstNonRun, firstNonRunSeed);
  }

  private static void requireResolved(RunRecipe template) {
    if (!template.strategy().resolved()) {
      throw new IllegalArgumentException("strategy " + template.strategy() + " needs its k measured first");
    }
  }
}
