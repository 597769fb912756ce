package dev.devemu.bench;

import dev.devemu.kernel.Oops;
import dev.devemu.plugin.bugzoo.BugZoo;
import dev.devemu.plugin.bugzoo.KnownBug;
import dev.devemu.replay.RunRecipe;
import dev.devemu.replay.Sessions;
import dev.devemu.replay.StrategySpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.NonRun;
import dev.devemu.testbed.Runner;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Bug-finding power, measured on the bug zoo ({@link BugZoo}): for each strategy, how many known bugs a search of
 * seeds 1..budget finds, how many seeds and how much CPU time it takes to the first report of each, and how many
 * runs of the corrected drivers — the zoo's own, and the safe samples on the same scenarios — report anything
 * (their documented shared bugs aside). Every figure comes from runs; nothing is known in advance but which
 * detector and function a bug's report names.
 */
public final class BugBench {
  private BugBench() {}

  /**
   * A search for one bug under one strategy.
   *
   * @param seedsToFirst the number of seeds run up to and including the first that reported the bug, or -1
   * @param cpuSecondsToFirst process CPU seconds spent on those runs (with PCT's measurement of k), or -1
   * @param firstSignature the signature of the report that counted, or null
   * @param otherReports reports on the way that were not this bug (first report of each run), by signature
   */
  public record Search(KnownBug bug, StrategySpec strategy, int seedsRun, int seedsToFirst, double cpuSecondsToFirst,
      String firstSignature, Map<String, Integer> otherReports) {
    public boolean found() {
      return seedsToFirst > 0;
    }
  }

  /**
   * Runs of a correct driver on a bug's scenario: how many reported something, and what.
   *
   * @param notBound runs in which the driver never bound (every probe failed, e.g. on an injected allocation
   *     failure): they tested nothing, so they are not evidence that the driver is clean
   */
  public record Clean(KnownBug bug, String driver, StrategySpec strategy, int runs, int runsWithReports,
      int sharedBugRuns, int notBound, Map<String, Integer> reports) {
    /** Runs that bound the driver and so tested it. */
    public int runsThatTested() {
      return runs - notBound;
    }
  }

  /** Everything for one strategy. */
  public record PerStrategy(StrategySpec strategy, List<Search> searches, List<Clean> clean) {
    public long found() {
      return searches.stream().filter(Search::found).count();
    }

    public double medianSeeds() {
      return median(searches.stream().filter(Search::found).mapToDouble(Search::seedsToFirst).toArray());
    }

    public double medianCpuSeconds() {
      return median(searches.stream().filter(Search::found).mapToDouble(Search::cpuSecondsToFirst).toArray());
    }

    /** Runs of correct drivers that reported anything but a documented shared bug. */
    public int falsePositives(boolean zooOnly) {
      return clean.stream().filter(c -> !zooOnly || c.driver().startsWith("zoo_")).mapToInt(Clean::runsWithReports)
          .sum();
    }

    public int cleanRuns(boolean zooOnly) {
      return clean.stream().filter(c -> !zooOnly || c.driver().startsWith("zoo_")).mapToInt(Clean::runs).sum();
    }

    /** Runs of correct drivers that never bound (tested nothing; counted in {@link #cleanRuns}). */
    public int notBoundRuns(boolean zooOnly) {
      return clean.stream().filter(c -> !zooOnly || c.driver().startsWith("zoo_")).mapToInt(Clean::notBound).sum();
    }
  }

  static double median(double[] values) {
    if (values.length == 0) return Double.NaN;
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** A bug's scenario with its driver swapped for another (the scenario names the buggy one once). */
  public static String withDriver(String source, KnownBug bug, String driverEntry) {
    String from = "name = " + bug.buggyDriver() + ", variant = raw }";
    if (!source.contains(from)) {
      throw new IllegalArgumentException(bug.scenario() + " does not load " + bug.buggyDriver() + " as \"{ " + from + "\"");
    }
    return source.replace(from, driverEntry + " }");
  }

  /** The safe sample a bug's corrected driver was derived from, as a scenario's driver entry names it. */
  static String safeSample(KnownBug bug) {
    return switch (bug.bus()) {
      case "pcie" -> "name = my_pcie, variant = safe";
      case "usb" -> "name = my_usb, variant = safe";
      case "char" -> "name = my_char, variant = safe";
      case "camera" -> "name = ipu6_isys, variant = safe";
      default -> throw new IllegalArgumentException("no safe sample for bus " + bug.bus());
    };
  }

  /**
   * Searches seeds {@code 1..budget} of the bug's scenario for its report.
   */
  public static Search search(SimHost host, KnownBug bug, String file, String source, StrategySpec spec, int budget) {
    long cpu0 = processCpuNanos();
    RunRecipe recipe = RunRecipe.of(file, source, 1, null, spec);
    Scenario scenario = recipe.scenario();
    StrategySpec resolved = Sessions.resolve(host, spec, scenario, 1);
    recipe = recipe.withStrategy(resolved);
    Map<String, Integer> others = new TreeMap<>();
    for (int seed = 1; seed <= budget; seed++) {
      Runner.Outcome o = Sessions.run(host, recipe.withSeed(seed), scenario, Runner.TraceMode.NONE);
      Oops hit = null;
      for (Oops oops : o.result().oopses()) {
        if (bug.matches(oops)) {
          hit = oops;
          break;
        }
      }
      if (hit != null) {
        return new Search(bug, resolved, seed, seed, (processCpuNanos() - cpu0) / 1e9, hit.signature(), others);
      }
      if (!o.result().oopses().isEmpty()) others.merge(o.result().oopses().get(0).signature(), 1, Integer::sum);
    }
    return new Search(bug, resolved, budget, -1, -1, null, others);
  }

  /** Runs seeds {@code 1..seeds} of a correct driver on the bug's scenario and counts its reports. */
  public static Clean clean(SimHost host, KnownBug bug, String file, String source, String driverEntry, StrategySpec spec,
      int seeds) {
    RunRecipe recipe = RunRecipe.of(file, withDriver(source, bug, driverEntry), 1, null, spec);
    Scenario scenario = recipe.scenario();
    recipe = recipe.withStrategy(Sessions.resolve(host, spec, scenario, 1));
    int withReports = 0;
    int shared = 0;
    int notBound = 0;
    Map<String, Integer> reports = new TreeMap<>();
    for (int seed = 1; seed <= seeds; seed++) {
      Runner.Outcome o = Sessions.run(host, recipe.withSeed(seed), scenario, Runner.TraceMode.NONE);
      if (NonRun.OUTCOME.equals(o.result().outcome())) notBound++;
      List<Oops> real = new ArrayList<>();
      boolean sharedHere = false;
      for (Oops oops : o.result().oopses()) {
        if (BugZoo.isSharedBug(oops)) {
          sharedHere = true;
        } else {
          real.add(oops);
        }
      }
      if (sharedHere) shared++;
      if (real.isEmpty()) continue;
      withReports++;
      reports.merge(real.get(0).signature(), 1, Integer::sum);
    }
    return new Clean(bug, driverEntry.replace("name = ", "").replace(", variant = ", "/"), spec, seeds, withReports,
        shared, notBound, reports);
  }

  /**
   * The whole bench.
   *
   * @param dir the folder of the bug scenarios ({@code scenarios/bugs})
   * @param budget seeds per bug and strategy
   * @param cleanSeeds seeds per correct driver, bug scenario and strategy (0: none)
   */
  public static List<PerStrategy> run(SimHost host, Path dir, List<KnownBug> bugs, List<StrategySpec> strategies,
      int budget, int cleanSeeds, boolean safeSamples, Consumer<String> progress) throws IOException {
    List<PerStrategy> out = new ArrayList<>();
    for (StrategySpec spec : strategies) {
      List<Search> searches = new ArrayList<>();
      List<Clean> clean = new ArrayList<>();
      for (KnownBug bug : bugs) {
        Path file = dir.resolve(bug.scenario());
        String source = Files.readString(file, StandardCharsets.UTF_8);
        Search s = search(host, bug, file.toString(), source, spec, budget);
        searches.add(s);
        String line = String.format("  %-8s %-34s %s", spec, bug.id(), s.found()
            ? String.format("found at seed %d (%.2f CPU s): %s", s.seedsToFirst(), s.cpuSecondsToFirst(), s.firstSignature())
            : "not found in " + budget + " seeds");
        if (cleanSeeds > 0) {
          Clean zoo = clean(host, bug, file.toString(), source, "name = " + bug.correctDriver() + ", variant = raw", spec, cleanSeeds);
          clean.add(zoo);
          line += String.format("; %s: %d/%d runs with reports (%d not bound)", bug.correctDriver(),
              zoo.runsWithReports(), zoo.runs(), zoo.notBound());
          if (safeSamples) {
            Clean safe = clean(host, bug, file.toString(), source, safeSample(bug), spec, cleanSeeds);
            clean.add(safe);
            line += String.format("; %s: %d/%d (+%d shared bug)", safe.driver(), safe.runsWithReports(), safe.runs(),
                safe.sharedBugRuns());
          }
        }
        if (!s.otherReports().isEmpty()) line += "; other reports on the way " + s.otherReports();
        progress.accept(line);
      }
      out.add(new PerStrategy(spec, searches, clean));
    }
    return out;
  }

  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return System.nanoTime();
  }
}
