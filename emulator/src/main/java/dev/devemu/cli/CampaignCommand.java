package dev.devemu.cli;

import dev.devemu.campaign.CampaignBackend;
import dev.devemu.campaign.CampaignException;
import dev.devemu.campaign.CampaignFolder;
import dev.devemu.campaign.CampaignProgress;
import dev.devemu.campaign.CampaignRunner;
import dev.devemu.campaign.CampaignSpec;
import dev.devemu.campaign.CampaignSummary;
import dev.devemu.campaign.LocalCampaignBackend;
import dev.devemu.campaign.PoissonStats;
import dev.devemu.cluster.ClusterCampaigns;
import dev.devemu.cluster.DoorToken;
import dev.devemu.cluster.EmbeddedCluster;
import dev.devemu.kernel.Variant;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code devemu campaign SCENARIO [--runs N | --device-hours H] [--out DIR] [--local | --cluster HOST:PORT]}: many
 * seeded runs, raw and safe, recorded as they finish and aggregated into oops rates with confidence intervals;
 * {@code --resume DIR} goes on with an interrupted campaign. The runs execute on an embedded single-node cluster
 * (the default), on threads ({@code --local}) or on a running cluster ({@code --cluster}); the folder's
 * {@code backend.json} remembers which, for {@code --resume}.
 */
@Command(name = "campaign", mixinStandardHelpOptions = true,
    description = "Run a scenario under many seeds, raw and safe, and measure oops rates per 1000 simulated "
        + "device-hours with 95%% confidence intervals. Writes results.jsonl as runs finish, then summary.json "
        + "(results only), report.html and run-info.json.%n"
        + "Runs execute on a single-node Pekko cluster inside this JVM (its journal in memory), on threads of "
        + "this JVM with --local, or on a running cluster with --cluster HOST:PORT; --resume goes on the way the "
        + "campaign ran (backend.json) unless one of these is given.%n"
        + "Exit codes: 0 finished, 1 internal error (some run broke the emulator, or the cluster did not answer: "
        + "15 s at the start, 2 minutes during the campaign), 2 bad input.")
public final class CampaignCommand implements Callable<Integer>, Subcommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", description = "Scenario file (HOCON).")
  Path scenarioFile;

  @Option(names = "--runs", paramLabel = "N", description = "Seeds 1..N for each variant (default 100).")
  Long runs;

  @Option(names = "--device-hours", paramLabel = "H",
      description = "For each variant, the fewest seeds 1..N that give it H simulated device-hours.")
  Double deviceHours;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: campaigns/<scenario name>).")
  Path outDir;

  @Option(names = "--resume", paramLabel = "DIR", description = "Go on with the campaign in DIR: finished runs are "
      + "kept, missing ones are run. --runs/--device-hours may raise its target.")
  Path resume;

  @Option(names = "--variant", converter = VariantConverter.class, paramLabel = "raw|safe",
      description = "Only this variant: raw or safe (default: both).")
  Variant variant;

  @Option(names = "--coverage", description = "Record the drivers' error-path coverage in every run (every call "
      + "site of a fallible kernel call and whether its error path ran) and report it: a table here, a section of "
      + "summary.json and report.html. Runs are the same with it; a coverage campaign is its own campaign.")
  boolean coverage;

  @Option(names = "--workers", paramLabel = "N", description = "Runs at once: threads with --local, lanes of the "
      + "embedded cluster otherwise (default: the number of cores). A cluster's nodes decide their own lanes.")
  Integer workers;

  @CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
  Where where;

  @Option(names = "--token-file", paramLabel = "FILE", description = "With a cluster: the file holding its HTTP "
      + "door's token (default: the DEVEMU_TOKEN environment variable). Refused if any user may read it.")
  Path tokenFile;

  /** Stop or forget a campaign on a cluster instead of running one (with --cluster; no scenario). */
  @CommandLine.ArgGroup(exclusive = true, multiplicity = "0..1")
  Stop stop;

  static final class Stop {
    @Option(names = "--cancel", paramLabel = "ID", description = "With --cluster: stop campaign ID (no further run "
        + "of it starts; what is recorded stays readable). IDs are listed by devemu status.")
    String cancel;

    @Option(names = "--delete", paramLabel = "ID", description = "With --cluster: cancel campaign ID and forget it "
        + "and its results on the cluster (its folder, if any, is left alone).")
    String delete;
  }

  /** The cluster door's token (--token-file or DEVEMU_TOKEN), read once the backend is known to be a cluster. */
  private String token;

  /** Where the runs execute; without any of these, a new campaign runs on the embedded cluster. */
  static final class Where {
    @Option(names = "--cluster", paramLabel = "HOST:PORT[,HOST:PORT...]", description = "Run on this running "
        + "cluster (the HTTP port of one or more of its nodes; the client moves to the next when one fails).")
    String cluster;

    @Option(names = "--local", description = "Run on threads of this JVM, without a cluster or a journal.")
    boolean local;

    @Option(names = "--embedded", description = "Run on a single-node cluster inside this JVM, its journal in "
        + "memory (the default for a new campaign).")
    boolean embedded;
  }

  /**
   * How long a cluster named with --cluster may take to answer before the command gives up (exit 1): long enough
   * for a node that is still starting, short enough that a typo in the port does not look like a hang. Tests
   * shorten it.
   */
  static java.time.Duration clusterConnectWait = java.time.Duration.ofSeconds(15);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec cli;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = cli.commandLine().getOut();
    PrintWriter err = cli.commandLine().getErr();
    CampaignFolder folder;
    Scenario scenario;
    CampaignBackendChoice choice;
    if (stop != null) return stop(out, err);
    try {
      String wrong = checkOptions();
      if (wrong != null) return bad(err, wrong);
      if (resume != null) {
        if (outDir != null && !outDir.normalize().equals(resume.normalize())) {
          return bad(err, "--out " + outDir + " contradicts --resume " + resume + " (a campaign resumes in its own folder)");
        }
        folder = CampaignFolder.resume(resume, new CampaignFolder.ResumeRequest(scenarioFile, variant, runs, deviceHours));
        if (coverage && !folder.spec().coverage()) {
          return bad(err, "--coverage: the campaign in " + resume + " does not record error-path coverage; run it as "
              + "a new campaign (another --out) with --coverage");
        }
        scenario = ScenarioLoader.parse(folder.spec().scenarioFile(), folder.scenarioSource());
      } else {
        if (scenarioFile == null) return bad(err, "campaign needs a SCENARIO file (or --resume DIR)");
        scenario = ScenarioLoader.load(scenarioFile);
        String source = scenario.source();
        Path dir = outDir != null ? outDir : Path.of("campaigns", scenario.name());
        String unwritable = OutputPaths.checkFolder(dir);
        if (unwritable != null) return bad(err, "--out " + dir + ": " + unwritable);
        List<Variant> variants = variant != null ? List.of(variant) : List.of(Variant.values());
        String file = scenarioFile.toString();
        String sha = CampaignSpec.sha256(source);
        CampaignSpec spec = deviceHours != null
            ? CampaignSpec.ofDeviceHours(file, scenario.name(), sha, deviceHours, variants)
            : CampaignSpec.ofRuns(file, scenario.name(), sha, runs != null ? runs : 100, variants);
        spec = spec.withCoverage(coverage);
        folder = CampaignFolder.create(dir, spec, source);
      }
      choice = where == null ? null : where.local ? CampaignBackendChoice.local()
          : where.embedded ? CampaignBackendChoice.embedded() : CampaignBackendChoice.cluster(where.cluster);
      if (choice == null) choice = resume != null ? CampaignBackendChoice.read(folder) : CampaignBackendChoice.embedded();
      if (choice.kind() == CampaignBackendChoice.Kind.CLUSTER) {
        if (workers != null) {
          return bad(err, "--workers does not apply to --cluster: the nodes run as many runs as they have lanes "
              + "(devemu node --lanes N)");
        }
        token = DoorToken.forClient(tokenFile);
        ClusterCampaigns.connect(choice.cluster(), token); // checks HOST:PORT[,HOST:PORT...]
      }
    } catch (ScenarioException | CampaignException e) {
      return bad(err, e.getMessage());
    } catch (java.nio.file.NoSuchFileException e) {
      return bad(err, e.getFile() + ": no such file");
    } catch (IOException | IllegalArgumentException e) {
      return bad(err, e.getMessage());
    }
    Path dir = folder.dir();
    CampaignSpec spec = folder.spec();

    int lanes = workers != null ? workers : Runtime.getRuntime().availableProcessors();
    String runsOn;
    if (choice.kind() == CampaignBackendChoice.Kind.CLUSTER) {
      try {
        lanes = Math.max(1, ClusterCampaigns.lanes(ClusterCampaigns.awaitStatus(choice.cluster(), token,
            clusterConnectWait)));
      } catch (IllegalArgumentException e) {
        return bad(err, "cluster " + choice.cluster() + ": " + e.getMessage()); // the token was refused
      } catch (IOException e) {
        err.println("devemu: cluster " + choice.cluster() + ": " + e.getMessage());
        if (resume != null && this.where == null) {
          err.println("devemu: the campaign in " + dir + " ran on that cluster; to go on here instead, add --embedded "
              + "or --local");
        }
        return ExitCodes.INTERNAL;
      }
      runsOn = "cluster " + choice.cluster() + " (" + lanes + " lane" + (lanes == 1 ? "" : "s") + ")";
    } else if (choice.kind() == CampaignBackendChoice.Kind.LOCAL) {
      runsOn = "local, " + lanes + " worker" + (lanes == 1 ? "" : "s");
    } else {
      runsOn = "embedded cluster, " + lanes + " lane" + (lanes == 1 ? "" : "s");
    }
    long maxExposure = scenario.durationNanos() * Math.max(1, scenario.devices().size());
    out.println("campaign " + spec.scenarioName() + ": " + target(spec) + ", variants "
        + String.join(", ", spec.variants().stream().map(Variant::toString).toList())
        + ", " + runsOn + " -> " + dir);
    out.flush();
    boolean terminal = System.console() != null;
    CampaignRunner runner = new CampaignRunner(folder, maxExposure, new CampaignProgress(out, terminal));
    CampaignRunner.Outcome outcome;
    try (AutoCloseable lock = folder.lock(); CampaignBackend backend = backend(choice, token, dir, lanes, err)) {
      choice.write(folder);
      outcome = runner.run(backend, choice.describe(), lanes, commandLine());
    } catch (CampaignException e) {
      return bad(err, e.getMessage());
    } catch (IllegalArgumentException | IllegalStateException e) {
      if (choice.kind() == CampaignBackendChoice.Kind.LOCAL) throw e; // a bug of this JVM: the handler prints it
      if (e instanceof IllegalArgumentException) return bad(err, e.getMessage()); // the cluster refused the plan
      err.println("devemu: " + e.getMessage());
      err.println("devemu: the results so far are in " + folder.file(CampaignFolder.RESULTS_FILE) + "; go on with --resume "
          + dir);
      return ExitCodes.INTERNAL;
    }
    if (outcome.droppedLines() > 0) {
      out.println("results.jsonl: ignored " + outcome.droppedLines() + " last line cut short by an interruption "
          + "(removed from the file; its run is run again if the campaign needs it)");
    }
    print(out, outcome);
    long broken = outcome.summary().outcomes().getOrDefault("internal-error", 0L);
    if (broken > 0) {
      err.println("devemu: " + broken + " run(s) failed inside the emulator (outcome internal-error in "
          + folder.file(CampaignFolder.RESULTS_FILE) + ")");
      return ExitCodes.INTERNAL;
    }
    return ExitCodes.OK;
  }

  private static CampaignBackend backend(CampaignBackendChoice choice, String token, Path dir, int lanes,
      PrintWriter err) {
    ClusterCampaigns.Options options = ClusterCampaigns.Options.defaults().withNotices(line -> {
      err.println("devemu: " + line);
      err.flush();
    });
    return switch (choice.kind()) {
      case LOCAL -> new LocalCampaignBackend(lanes);
      case CLUSTER -> ClusterCampaigns.connect(choice.cluster(), token, options);
      case EMBEDDED -> {
        quietClusterLog(); // the node's INFO lines (up, campaign accepted) mean nothing to the user here
        yield EmbeddedCluster.lazily(dir, lanes, options);
      }
    };
  }

  private static void quietClusterLog() {
    if (org.slf4j.LoggerFactory.getLogger("dev.devemu.cluster") instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }

  /** {@code --cancel ID} / {@code --delete ID}: 0 done, 2 bad input (no such campaign, refused token), 1 no answer. */
  private int stop(PrintWriter out, PrintWriter err) throws InterruptedException {
    boolean delete = stop.delete != null;
    String id = delete ? stop.delete : stop.cancel;
    String option = delete ? "--delete" : "--cancel";
    if (where == null || where.cluster == null) return bad(err, option + " needs --cluster HOST:PORT");
    if (scenarioFile != null || resume != null || outDir != null || runs != null || deviceHours != null
        || variant != null || workers != null) {
      return bad(err, option + " ID --cluster HOST:PORT takes no scenario and no other campaign option");
    }
    com.fasterxml.jackson.databind.JsonNode p;
    try {
      p = ClusterCampaigns.cancel(where.cluster, DoorToken.forClient(tokenFile), id, delete);
    } catch (IllegalArgumentException e) {
      return bad(err, e.getMessage()); // HOST:PORT malformed, token file unreadable or refused
    } catch (IOException e) {
      err.println("devemu: cluster " + where.cluster + ": " + e.getMessage());
      return ExitCodes.INTERNAL;
    }
    if (p == null) return bad(err, "cluster " + where.cluster + " has no campaign " + id + " (devemu status lists them)");
    out.println(delete
        ? "campaign " + id + " deleted: the cluster forgot it and its results"
        : "campaign " + id + " cancelled: " + p.path("done").asLong() + " of " + p.path("planned").asLong()
            + " runs recorded; no further run of it starts (delete it with --delete " + id + ")");
    out.flush();
    return ExitCodes.OK;
  }

  /** What is wrong with the options on their own, or null. */
  private String checkOptions() {
    if (runs != null && deviceHours != null) return "give --runs or --device-hours, not both";
    if (runs != null && runs < 1) return "--runs must be at least 1, got " + runs;
    if (deviceHours != null && !(deviceHours > 0 && deviceHours < 1e12)) {
      return "--device-hours must be positive, got " + deviceHours;
    }
    if (workers != null && (workers < 1 || workers > 1024)) return "--workers must be 1..1024, got " + workers;
    return null;
  }

  private static int bad(PrintWriter err, String message) {
    err.println("devemu: " + message);
    return ExitCodes.BAD_INPUT;
  }

  /** "seeds 1..N", or "raw seeds 1..N, safe seeds 1..M" when the variants count different seeds. */
  private static String seeds(dev.devemu.campaign.SeedSelection.Result sel) {
    if (sel.sameSeeds()) return "seeds 1.." + sel.maxLastSeed();
    List<String> parts = new ArrayList<>();
    for (dev.devemu.campaign.SeedSelection.VariantSelection v : sel.variants()) {
      parts.add(v.variant() + " seeds 1.." + v.lastSeed());
    }
    return String.join(", ", parts);
  }

  private static String target(CampaignSpec spec) {
    return spec.mode() == CampaignSpec.Mode.RUNS ? "seeds 1.." + spec.runs()
        : spec.deviceHours() + " device-hours per variant";
  }

  private String commandLine() {
    StringBuilder sb = new StringBuilder("devemu");
    for (String a : cli.commandLine().getParseResult().originalArgs()) sb.append(' ').append(a);
    return sb.toString();
  }

  private static void print(PrintWriter out, CampaignRunner.Outcome o) {
    CampaignSummary s = o.summary();
    out.printf(Locale.ROOT, "runs: %d counted (%s), %d executed now, %d from earlier sessions, %.1f s%n",
        s.runs(), seeds(s.selection()), o.executed(), o.reused(), o.wallSeconds());
    for (CampaignSummary.Group g : s.drivers()) {
      out.printf(Locale.ROOT, "  %-12s %-5s %6d oopses in %12.1f device-h   rate %s per 1000 h%n", g.driver(), g.variant(),
          g.oopses(), g.deviceHours(), rate(g.ratePer1000h()));
    }
    for (CampaignSummary.Group g : s.variants()) {
      out.printf(Locale.ROOT, "  %-12s %-5s %6d oopses in %12.1f device-h   rate %s per 1000 h%n", "all drivers",
          g.variant(), g.oopses(), g.deviceHours(), rate(g.ratePer1000h()));
    }
    for (CampaignSummary.Comparison c : s.comparisons()) {
      out.printf(Locale.ROOT, "  reduction safe vs raw (%s): %s%n", c.driver().equals("*") ? "all drivers" : c.driver(),
          reduction(c.reduction()));
    }
    out.println("  distinct bugs: " + s.signatures().size() + (s.signatures().isEmpty() ? "" : " (replay commands in summary.json)"));
    if (s.coverage() != null) printCoverage(out, s.coverage());
    out.println("summary: " + s.spec().scenarioName() + " -> summary.json, report.html, run-info.json"
        + (s.selection().complete() ? "" : " (INCOMPLETE)"));
    out.flush();
  }

  /** The error-path coverage table of a campaign (the same rows as summary.json's error_path_coverage). */
  static void printCoverage(PrintWriter out, CampaignSummary.Coverage c) {
    out.println("error-path coverage over " + c.runs() + " runs (fallible kernel calls in driver code; a site is "
        + "listed once a run reached it)");
    out.printf(Locale.ROOT, "  %-10s %-5s %-28s %-28s %10s %10s  %s%n", "driver", "var", "site", "call", "calls",
        "errors", "error path");
    for (CampaignSummary.SiteRow r : c.sites()) {
      out.printf(Locale.ROOT, "  %-10s %-5s %-28s %-28s %10d %10d  %s%n", r.driver(), r.variant(), r.site(), r.call(),
          r.calls(), r.errors(), r.errorPathRan() ? "ran (first: seed " + r.exampleSeed() + ")" : "never ran");
    }
    for (CampaignSummary.Share s : c.shares()) {
      out.printf(Locale.ROOT, "  %s/%s: %d of %d error paths ran (%.0f%%)%n", s.driver(), s.variant(),
          s.errorPathsRan(), s.sites(), s.percent());
    }
  }

  private static String rate(PoissonStats.Estimate e) {
    if (e.value() == null) return "n/a";
    return String.format(Locale.ROOT, "%.3g [95%% CI %.3g, %.3g]", e.value(), e.interval().low(), e.interval().high());
  }

  private static String reduction(PoissonStats.Estimate e) {
    PoissonStats.Interval i = e.interval();
    if (e.value() == null && i.low() == null && i.high() == null) return "n/a (no oops in either variant)";
    return (e.value() == null ? "undefined (raw had no oops)" : String.format(Locale.ROOT, "%.2f%%", 100 * e.value()))
        + " [95% CI " + (i.low() == null ? "-inf" : String.format(Locale.ROOT, "%.2f%%", 100 * i.low())) + ", "
        + (i.high() == null ? "+inf" : String.format(Locale.ROOT, "%.2f%%", 100 * i.high())) + "]";
  }
}
