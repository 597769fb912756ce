package dev.devemu.kunit;

import dev.devemu.kernel.ErrorPaths;
import dev.devemu.kernel.Variant;
import dev.devemu.replay.StrategySpec;
import dev.devemu.sim.SimHost;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * Runs suites: every case (every parameter of a parameterised case) under each strategy and each seed 1..N, with a
 * fresh {@link Kunit} context and fresh testbeds each time; init before and exit after every run. A case fails if
 * any run fails; its log then says under which seed and strategy, and the command that reruns it.
 */
public final class KunitRunner {
  /**
   * @param variant the variant of the drivers under test
   * @param seeds run every case under seeds 1..seeds; 0 = each case's own default (1, more for concurrent cases)
   * @param strategies the scheduling strategies ({@code random}, {@code pct[:D]}); each case runs under every one
   * @param filter KUnit's {@code filter_glob}: {@code suite} or {@code suite.case}, with {@code *} and {@code ?}
   * @param coverage records error-path coverage of every testbed, or null
   */
  public record Options(Variant variant, int seeds, List<StrategySpec> strategies, String filter,
      ErrorPaths coverage) {
    public static Options of(Variant variant) {
      return new Options(variant, 0, List.of(StrategySpec.RANDOM), null, null);
    }

    public Options withSeeds(int n) {
      return new Options(variant, n, strategies, filter, coverage);
    }

    public Options withStrategies(List<StrategySpec> s) {
      return new Options(variant, seeds, List.copyOf(s), filter, coverage);
    }

    public Options withFilter(String glob) {
      return new Options(variant, seeds, strategies, glob, coverage);
    }

    public Options withCoverage(ErrorPaths paths) {
      return new Options(variant, seeds, strategies, filter, paths);
    }
  }

  private KunitRunner() {}

  /** Every suite the class path lists ({@code META-INF/services/dev.devemu.kunit.KunitSuiteSource}), by name. */
  public static List<KunitSuite> catalog() {
    List<KunitSuite> all = new ArrayList<>();
    for (KunitSuiteSource source : ServiceLoader.load(KunitSuiteSource.class)) all.addAll(source.suites());
    all.sort(java.util.Comparator.comparing(KunitSuite::name));
    return all;
  }

  /** The suites whose name or some case matches the filter (null matches all), with only the matching cases. */
  public static List<KunitSuite> select(List<KunitSuite> suites, String filter) {
    if (filter == null || filter.isEmpty()) return suites;
    int dot = filter.indexOf('.');
    Pattern suiteGlob = glob(dot < 0 ? filter : filter.substring(0, dot));
    Pattern caseGlob = dot < 0 ? null : glob(filter.substring(dot + 1));
    List<KunitSuite> out = new ArrayList<>();
    for (KunitSuite s : suites) {
      if (!suiteGlob.matcher(s.name()).matches()) continue;
      List<KunitCase> cases = caseGlob == null ? s.cases()
          : s.cases().stream().filter(c -> caseGlob.matcher(c.name()).matches()).toList();
      if (!cases.isEmpty()) out.add(new KunitSuite(s.name(), s.driver(), s.init(), s.exit(), cases));
    }
    return out;
  }

  static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*') re.append(".*");
      else if (c == '?') re.append('.');
      else re.append(Pattern.quote(String.valueOf(c)));
    }
    return Pattern.compile(re.toString());
  }

  public static KunitResults run(SimHost host, List<KunitSuite> suites, Options options) {
    List<KunitResults.Suite> out = new ArrayList<>();
    for (KunitSuite s : select(suites, options.filter())) out.add(runSuite(host, s, options));
    return new KunitResults(out);
  }

  public static KunitResults.Suite runSuite(SimHost host, KunitSuite suite, Options options) {
    List<KunitResults.Case> cases = new ArrayList<>();
    for (KunitCase c : suite.cases()) cases.add(runCase(host, suite, c, options));
    return new KunitResults.Suite(suite.name(), cases);
  }

  public static KunitResults.Case runCase(SimHost host, KunitSuite suite, KunitCase c, Options options) {
    if (!c.parameterised()) {
      Outcome o = runAll(host, suite, c, null, options);
      return new KunitResults.Case(c.name(), o.status, o.skipReason, o.log, List.of());
    }
    List<KunitResults.Param> params = new ArrayList<>();
    KunitResults.Status status = KunitResults.Status.SKIP;
    for (String p : c.params()) {
      Outcome o = runAll(host, suite, c, p, options);
      params.add(new KunitResults.Param(p, o.status, o.log));
      if (o.status == KunitResults.Status.FAIL) status = KunitResults.Status.FAIL;
      else if (o.status == KunitResults.Status.PASS && status == KunitResults.Status.SKIP) {
        status = KunitResults.Status.PASS;
      }
    }
    return new KunitResults.Case(c.name(), status, "", List.of(), params);
  }

  private record Outcome(KunitResults.Status status, String skipReason, List<String> log) {}

  /** One case (or parameter) under every strategy and seed; the log of the first failing run is kept. */
  private static Outcome runAll(SimHost host, KunitSuite suite, KunitCase c, String param, Options options) {
    int seeds = options.seeds() > 0 ? options.seeds() : c.seeds();
    int failedRuns = 0;
    int runs = 0;
    int skipped = 0;
    String skipReason = "";
    List<String> log = new ArrayList<>();
    List<String> failedUnder = new ArrayList<>();
    for (StrategySpec strategy : options.strategies()) {
      for (long seed = 1; seed <= seeds; seed++) {
        runs++;
        Kunit t = new Kunit(host, suite, c.name(), options.variant(), seed, strategy, param, options.coverage());
        runOne(suite, c, t);
        switch (t.status()) {
          case FAIL -> {
            failedRuns++;
            failedUnder.add("seed " + seed + " " + strategy);
            if (failedRuns == 1) {
              if (runs > 1 || seeds > 1 || options.strategies().size() > 1) {
                log.add("# " + c.name() + ": failed under seed " + seed + ", strategy " + strategy);
              }
              log.addAll(t.log());
              log.add("# " + c.name() + ": rerun: ./devemu kunit " + suite.name() + " --variant " + options.variant()
                  + " --filter '" + suite.name() + "." + c.name() + "' --seeds " + seed + " --strategy "
                  + strategy.kind() + (strategy.isPct() ? ":" + strategy.depth() : ""));
            }
          }
          case SKIP -> {
            skipped++;
            skipReason = t.skipReason();
          }
          case PASS -> {
            if (!t.log().isEmpty() && failedRuns == 0 && runs == 1) log.addAll(t.log());
          }
        }
      }
    }
    if (failedRuns > 0) {
      if (runs > 1) {
        log.add("# " + c.name() + ": " + failedRuns + " of " + runs + " runs failed (" + String.join(", ",
            failedUnder.subList(0, Math.min(8, failedUnder.size()))) + (failedUnder.size() > 8 ? ", …" : "") + ")");
      }
      return new Outcome(KunitResults.Status.FAIL, "", log);
    }
    if (skipped == runs) return new Outcome(KunitResults.Status.SKIP, skipReason, log);
    return new Outcome(KunitResults.Status.PASS, "", log);
  }

  private static void runOne(KunitSuite suite, KunitCase c, Kunit t) {
    try {
      suite.init().run(t);
      try {
        c.body().run(t);
      } finally {
        suite.exit().run(t);
      }
    } catch (KunitAbort e) {
      // an assertion, a skip, or a testbed that could not be built: already in the log
    } catch (Exception | AssertionError e) {
      t.error("test code threw " + e);
    }
  }
}
