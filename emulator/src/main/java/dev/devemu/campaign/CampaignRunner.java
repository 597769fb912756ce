package dev.devemu.campaign;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.devemu.testbed.RunResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one campaign in its output folder with any {@link CampaignBackend}, and keeps the folder resumable:
 *
 * <pre>
 * DIR/campaign.json    what the campaign measures (CampaignSpec)
 * DIR/scenario.conf    the scenario's text as it was when the campaign started
 * DIR/results.jsonl    one line per finished run, appended as runs finish
 * DIR/summary.json     results only (byte-identical for two campaigns over the same runs)
 * DIR/report.html      the comparison table and plots, self-contained
 * DIR/run-info.json    when, where and how fast (one entry per session)
 * DIR/backend.json     where the runs execute (written by the campaign command, read by --resume)
 * DIR/journal/         the journal of the embedded cluster, when the campaign runs on it
 * DIR/campaign.lock    locked while a process works in the folder ({@link #lock})
 * </pre>
 *
 * Runs already in {@code results.jsonl} are never run again and never counted twice. Runs are asked for in waves of
 * keys ({@link SeedSelection#nextWave}); with a device-hours target the backend is told to skip the runs of a variant
 * as soon as that variant has its target, and to stop when every variant has it. Results of seeds beyond a
 * variant's last counted seed are kept in the log but not counted.
 */
public final class CampaignRunner {
  public static final String SPEC_FILE = "campaign.json";
  public static final String SCENARIO_FILE = "scenario.conf";
  public static final String SUMMARY_FILE = "summary.json";
  public static final String REPORT_FILE = "report.html";
  /** The embedded cluster's data directory (its H2 journal) inside a campaign folder. */
  public static final String JOURNAL_DIR = "journal";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a finished campaign session did. */
  public record Outcome(CampaignSummary summary, long executed, long reused, int droppedLines, double wallSeconds) {}

  private final Path dir;
  private final CampaignSpec spec;
  private final String scenarioSource;
  private final long maxExposurePerRunNanos;
  private final CampaignProgress progress;

  /**
   * @param maxExposurePerRunNanos the most device exposure one run can give a variant (duration × devices): the
   *     first wave of a device-hours campaign never asks for more seeds than the target needs
   */
  public CampaignRunner(Path dir, CampaignSpec spec, String scenarioSource, long maxExposurePerRunNanos,
      CampaignProgress progress) {
    this.dir = dir;
    this.spec = spec;
    this.scenarioSource = scenarioSource;
    this.maxExposurePerRunNanos = maxExposurePerRunNanos;
    this.progress = progress;
  }

  /** The file a running campaign holds locked, so that a second process does not run the same folder. */
  public static final String LOCK_FILE = "campaign.lock";

  /**
   * Locks the campaign folder for this process (creating it if needed) until the returned handle is closed. Two
   * processes on one folder would both append results and, on the embedded cluster, both write its journal.
   *
   * @throws CampaignException if another process (or this one) holds the folder
   */
  public static AutoCloseable lock(Path dir) throws IOException {
    Files.createDirectories(dir);
    java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir.resolve(LOCK_FILE),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
    java.nio.channels.FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new CampaignException(dir + ": another devemu campaign is running in this folder");
    }
    java.nio.channels.FileLock held = lock;
    return () -> {
      held.release();
      channel.close();
    };
  }

  /** Writes {@code campaign.json} and {@code scenario.conf} (a new campaign, or a resumed one with a new target). */
  public static void writeSetup(Path dir, CampaignSpec spec, String scenarioSource) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(SPEC_FILE), CampaignSummary.render(spec.toJson()), StandardCharsets.UTF_8);
    Path scenario = dir.resolve(SCENARIO_FILE);
    if (!Files.exists(scenario)) Files.writeString(scenario, scenarioSource, StandardCharsets.UTF_8);
  }

  /**
   * Reads the spec of a campaign folder.
   *
   * @throws CampaignException if the folder holds no campaign
   */
  public static CampaignSpec readSpec(Path dir) throws IOException {
    Path file = dir.resolve(SPEC_FILE);
    if (!Files.exists(file) || !Files.exists(dir.resolve(SCENARIO_FILE))) {
      throw new CampaignException(dir + ": not a campaign folder (no " + SPEC_FILE + " and " + SCENARIO_FILE + ")");
    }
    try {
      return CampaignSpec.fromJson(JSON.readTree(file.toFile()));
    } catch (IOException | IllegalArgumentException e) {
      throw new CampaignException(file + ": not a campaign spec (" + e.getMessage() + ")");
    }
  }

  public static String readScenario(Path dir) throws IOException {
    return Files.readString(dir.resolve(SCENARIO_FILE), StandardCharsets.UTF_8);
  }

  /**
   * Runs what is missing, then writes the summary, the report and the session's run info.
   *
   * @param workers how many runs the backend runs at once (waves are at least this big)
   * @param command the command line, for run-info.json
   */
  public Outcome run(CampaignBackend backend, String backendName, int workers, String command)
      throws IOException, InterruptedException {
    Session session = new Session(Instant.now());
    writeSetup(dir, spec, scenarioSource);
    CampaignAggregator aggregator = new CampaignAggregator(spec);
    int dropped;
    try (ResultLog log = ResultLog.open(dir)) {
      dropped = log.droppedLines();
      for (RunRecord r : log.records().values()) {
        aggregator.add(r);
        if (session.exposure.containsKey(r.variant())) session.exposure.merge(r.variant(), r.totalExposureNanos(), Long::sum);
        if (inRunsTarget(r.key())) session.inTarget++;
      }
      session.reused = log.records().size();
      report(session, true);
      try {
        runWaves(log, aggregator, backend, workers, session);
      } catch (InterruptedException | RuntimeException e) {
        progress.finish();
        RunInfo.append(dir, session.info(backendName, workers, command + "   [ended early: " + e + "]"));
        throw e;
      }
    }
    progress.update(1, session.executed, "done", true);
    progress.finish();
    CampaignSummary summary = aggregator.summary();
    summary.write(dir.resolve(SUMMARY_FILE));
    ReportHtml.write(dir.resolve(REPORT_FILE), summary);
    RunInfo.Session info = session.info(backendName, workers, command);
    RunInfo.append(dir, info);
    return new Outcome(summary, session.executed, session.reused, dropped,
        (info.finished().toEpochMilli() - info.started().toEpochMilli()) / 1000.0);
  }

  /** What this session did so far (for progress and run-info.json). */
  private final class Session {
    final Instant started;
    final Map<String, Long> exposure = new LinkedHashMap<>();
    long executed;
    long reused;
    long inTarget;
    double simulatedHours;
    volatile boolean complete;
    /** Variants whose device-hours selection is complete: their runs not started yet are not wanted. */
    final Set<String> doneVariants = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Session(Instant started) {
      this.started = started;
      for (String v : spec.variants()) exposure.put(v, 0L);
    }

    RunInfo.Session info(String backendName, int workers, String command) {
      return new RunInfo.Session(started, Instant.now(), backendName, workers, executed, reused, simulatedHours, command);
    }
  }

  private void runWaves(ResultLog log, CampaignAggregator aggregator, CampaignBackend backend, int workers,
      Session session) throws InterruptedException {
    session.complete = aggregator.complete();
    for (String v : spec.variants()) {
      if (spec.mode() == CampaignSpec.Mode.DEVICE_HOURS && aggregator.complete(v)) session.doneVariants.add(v);
    }
    while (true) {
      List<RunKey> wave = SeedSelection.nextWave(spec, aggregator.records(), maxExposurePerRunNanos,
          Math.max(1, workers));
      if (wave.isEmpty()) return;
      CampaignPlan plan = new CampaignPlan(spec.campaignId(), spec.scenarioFile(), scenarioSource, wave, 0);
      backend.execute(plan, aggregator.records().keySet(), new CampaignBackend.ResultSink() {
        @Override
        public void accept(RunKey key, RunResult result) {
          RunRecord r = RunRecord.of(key, result);
          try {
            if (!log.append(r)) return; // already counted
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          aggregator.add(r);
          session.executed++;
          session.simulatedHours += r.totalExposureNanos() / (double) CampaignSpec.NANOS_PER_HOUR;
          session.exposure.merge(r.variant(), r.totalExposureNanos(), Long::sum);
          if (inRunsTarget(key)) session.inTarget++;
          if (spec.mode() == CampaignSpec.Mode.DEVICE_HOURS) {
            if (aggregator.complete(key.variant())) session.doneVariants.add(key.variant());
            session.complete = aggregator.complete();
          }
          report(session, false);
        }

        @Override
        public boolean wantsMore() {
          return !session.complete;
        }

        @Override
        public boolean wants(RunKey key) {
          return !session.complete && !session.doneVariants.contains(key.variant());
        }
      });
    }
  }

  private boolean inRunsTarget(RunKey k) {
    return k.seed() >= 1 && k.seed() <= spec.runs() && spec.variants().contains(k.variant());
  }

  private void report(Session session, boolean force) {
    long inTarget = session.inTarget;
    Map<String, Long> exposure = session.exposure;
    long executed = session.executed;
    double fraction;
    String what;
    if (spec.mode() == CampaignSpec.Mode.RUNS) {
      long total = spec.runs() * spec.variants().size();
      long done = Math.min(total, inTarget);
      fraction = (double) done / total;
      what = done + "/" + total + " runs";
    } else {
      double target = spec.targetExposureNanos();
      fraction = 1;
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, Long> e : exposure.entrySet()) {
        fraction = Math.min(fraction, e.getValue() / target);
        sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append(' ')
            .append(String.format(java.util.Locale.ROOT, "%.1f", e.getValue() / (double) CampaignSpec.NANOS_PER_HOUR));
      }
      what = sb + " / " + ReportHtml.num(spec.deviceHours()) + " device-h";
    }
    progress.update(fraction, executed, what, force);
  }
}
