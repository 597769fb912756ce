package dev.devemu.cli;

import dev.devemu.kernel.ErrorPaths;
import dev.devemu.kernel.Variant;
import dev.devemu.kunit.ErrorPathTable;
import dev.devemu.kunit.KtapPrinter;
import dev.devemu.kunit.KunitResults;
import dev.devemu.kunit.KunitRunner;
import dev.devemu.kunit.KunitSuite;
import dev.devemu.replay.StrategySpec;
import dev.devemu.sim.SimHost;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code devemu kunit [SUITE...]}: runs driver test suites and prints KTAP version 1 as the kernel's KUnit does. */
@Command(name = "kunit", mixinStandardHelpOptions = true,
    description = "Run the drivers' KUnit-style suites against mock devices and print KTAP version 1 (as the "
        + "kernel's KUnit prints it; tools/testing/kunit/kunit.py parse reads it). Exit 1 if a case fails.")
public final class KunitCommand implements Callable<Integer>, Subcommand {
  @Parameters(arity = "0..*", paramLabel = "SUITE", description = "Suites to run (default: all).")
  List<String> suiteNames = new ArrayList<>();

  @Option(names = "--variant", converter = VariantConverter.class, paramLabel = "raw|safe",
      defaultValue = "safe", description = "raw or safe (default: safe).")
  Variant variant;

  @Option(names = "--seeds", defaultValue = "0",
      description = "Run every case under seeds 1..N (default: each case's own, 1 or more for concurrent cases).")
  int seeds;

  @Option(names = "--strategy", split = ",", defaultValue = "random",
      description = "Scheduling strategies, comma-separated: random, pct[:DEPTH] (default: random).")
  List<String> strategies;

  @Option(names = "--filter", description = "KUnit's filter_glob: SUITE or SUITE.CASE, with * and ?.")
  String filter;

  @Option(names = "--coverage",
      description = "After the KTAP output, print the error-path coverage of the drivers under test (as # lines).")
  boolean coverage;

  @Option(names = "--campaign", paramLabel = "DIR", description = "With --coverage: also read the error-path coverage "
      + "of the campaign in DIR (run with campaign --coverage) and say for each site whether its error path ran "
      + "under kunit, the campaign, both, or never.")
  java.nio.file.Path campaign;

  @Option(names = "--list", description = "List the suites and their cases instead of running them.")
  boolean list;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<StrategySpec> specs = new ArrayList<>();
    try {
      for (String s : strategies) {
        StrategySpec parsed = StrategySpec.parse(s);
        // KUnit tests script their own faults; there is no scenario fault plan for swarm to vary.
        if (parsed.swarm()) throw new IllegalArgumentException("--strategy " + s + ": kunit has no fault plan; +swarm is for run, explore and bench");
        if (parsed.steer()) throw new IllegalArgumentException("--strategy " + s + ": kunit has no fault plan; +steer is for run, explore and bench");
        specs.add(parsed);
      }
      if (seeds < 0) throw new IllegalArgumentException("--seeds must be >= 0");
    } catch (IllegalArgumentException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    java.util.Map<ErrorPaths.Site, ErrorPaths.Counts> campaignPaths = null;
    if (campaign != null) {
      if (!coverage) {
        err.println("devemu: --campaign needs --coverage");
        return ExitCodes.BAD_INPUT;
      }
      try {
        campaignPaths = campaignCoverage(campaign);
      } catch (IllegalArgumentException e) {
        err.println("devemu: " + e.getMessage());
        return ExitCodes.BAD_INPUT;
      }
    }
    List<KunitSuite> all = KunitRunner.catalog();
    List<KunitSuite> chosen = new ArrayList<>();
    for (String name : suiteNames) {
      KunitSuite s = all.stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
      if (s == null) {
        err.println("devemu: no suite named " + name + " (suites: "
            + String.join(", ", all.stream().map(KunitSuite::name).toList()) + ")");
        return ExitCodes.BAD_INPUT;
      }
      chosen.add(s);
    }
    if (chosen.isEmpty()) chosen = all;
    if (list) {
      for (KunitSuite s : KunitRunner.select(chosen, filter)) {
        s.cases().forEach(c -> out.println(s.name() + "." + c.name()));
      }
      out.flush();
      return ExitCodes.OK;
    }
    ErrorPaths paths = coverage ? new ErrorPaths() : null;
    KunitRunner.Options options = KunitRunner.Options.of(variant).withSeeds(seeds).withStrategies(specs)
        .withFilter(filter).withCoverage(paths);
    KunitResults results;
    try (SimHost host = SimHost.start("devemu-kunit", 1)) {
      results = KunitRunner.run(host, chosen, options);
    }
    KtapPrinter.print(results, out);
    if (paths != null) {
      List<String> drivers = chosen.stream().map(KunitSuite::driver).toList();
      for (String line : campaignPaths == null ? ErrorPathTable.lines(paths, drivers)
          : ErrorPathTable.combinedLines(paths, campaignPaths, drivers, variant.toString())) {
        out.println("# " + line);
      }
    }
    out.flush();
    return results.failed() ? 1 : ExitCodes.OK;
  }

  /**
   * The sites of a campaign folder's {@code summary.json} (section {@code error_path_coverage}).
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  static java.util.Map<ErrorPaths.Site, ErrorPaths.Counts> campaignCoverage(java.nio.file.Path dir) {
    java.nio.file.Path file = dir.resolve("summary.json");
    com.fasterxml.jackson.databind.JsonNode root;
    try {
      root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(file + ": cannot read a campaign summary (" + e.getMessage() + ")");
    }
    com.fasterxml.jackson.databind.JsonNode cov = root == null ? null : root.get("error_path_coverage");
    if (cov == null) {
      throw new IllegalArgumentException(file + ": error_path_coverage: absent (the campaign ran without --coverage)");
    }
    java.util.Map<ErrorPaths.Site, ErrorPaths.Counts> out = new java.util.TreeMap<>();
    int i = 0;
    for (com.fasterxml.jackson.databind.JsonNode s : cov.path("sites")) {
      for (String f : List.of("driver", "variant", "call", "site", "calls", "errors")) {
        if (!s.hasNonNull(f)) throw new IllegalArgumentException(file + ": error_path_coverage.sites[" + i + "]." + f + ": missing");
      }
      out.put(new ErrorPaths.Site(s.get("driver").asText(), s.get("variant").asText(), s.get("call").asText(),
          s.get("site").asText()), new ErrorPaths.Counts(s.get("calls").asLong(), s.get("errors").asLong()));
      i++;
    }
    return out;
  }
}
