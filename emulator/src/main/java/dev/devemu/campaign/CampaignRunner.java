package dev.devemu.campaign;

import dev.devemu.kernel.Variant;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one campaign in its {@link CampaignFolder} with any {@link CampaignBackend}, and keeps the folder resumable.
 *
 * Runs already in {@code results.jsonl} are never run again and never counted twice. Runs are asked for in waves of
 * keys ({@link SeedSelection#nextWave}); with a device-hours target the backend is told to skip the runs of a variant
 * as soon as that variant has its target, and to stop when every variant has it. Every result a backend delivers is
 * appended to {@code results.jsonl} once, whether it counts or not (results of seeds beyond a variant's last counted
 * seed are kept in the log but not counted).
 */
public final class CampaignRunner {
  /** What a finished campaign session did. */
  public record Outcome(CampaignSummary summary, long executed, long reused, int droppedLines, double wallSeconds) {}

  private final CampaignFolder folder;
  private final CampaignSpec spec;
  private final String scenarioSource;
  private final long maxExposurePerRunNanos;
  private final CampaignProgress progress;

  /**
   * @param maxExposurePerRunNanos the most device exposure one run can give a variant (duration × devices): the
   *     first wave of a device-hours campaign never asks for more seeds than the target needs
   */
  public CampaignRunner(CampaignFolder folder, long maxExposurePerRunNanos, CampaignProgress progress) {
    this.folder = folder;
    this.spec = folder.spec();
    this.scenarioSource = folder.scenarioSource();
    this.maxExposurePerRunNanos = maxExposurePerRunNanos;
    this.progress = progress;
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
    folder.writeSetup();
    CampaignAggregator aggregator = new CampaignAggregator(spec);
    int dropped;
    try (ResultLog log = folder.openResults()) {
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
        folder.appendRunInfo(session.info(backendName, workers, command + "   [ended early: " + e + "]"));
        throw e;
      }
    }
    progress.update(1, session.executed, "done", true);
    progress.finish();
    CampaignSummary summary = aggregator.summary();
    folder.writeSummary(summary);
    RunInfo.Session info = session.info(backendName, workers, command);
    folder.appendRunInfo(info);
    return new Outcome(summary, session.executed, session.reused, dropped,
        (info.finished().toEpochMilli() - info.started().toEpochMilli()) / 1000.0);
  }

  /** What this session did so far (for progress and run-info.json). */
  private final class Session {
    final Instant started;
    final Map<Variant, Long> exposure = new LinkedHashMap<>();
    long executed;
    long reused;
    long inTarget;
    double simulatedHours;
    volatile boolean complete;
    /** Variants whose device-hours selection is complete: their runs not started yet are not wanted. */
    final Set<Variant> doneVariants = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Session(Instant started) {
      this.started = started;
      for (Variant v : spec.variants()) exposure.put(v, 0L);
    }

    RunInfo.Session info(String backendName, int workers, String command) {
      return new RunInfo.Session(started, Instant.now(), backendName, workers, executed, reused, simulatedHours, command);
    }
  }

  private void runWaves(ResultLog log, CampaignAggregator aggregator, CampaignBackend backend, int workers,
      Session session) throws InterruptedException {
    session.complete = aggregator.complete();
    for (Variant v : spec.variants()) {
      if (spec.mode() == CampaignSpec.Mode.DEVICE_HOURS && aggregator.complete(v)) session.doneVariants.add(v);
    }
    while (true) {
      List<RunKey> wave = SeedSelection.nextWave(spec, aggregator.records(), maxExposurePerRunNanos,
          Math.max(1, workers));
      if (wave.isEmpty()) return;
      CampaignPlan plan = new CampaignPlan(spec.campaignId(), spec.scenarioFile(), scenarioSource, wave, 0,
          spec.coverage());
      backend.execute(plan, aggregator.records().keySet(), new CampaignBackend.ResultSink() {
        @Override
        public void accept(RunRecord r) {
          RunKey key = r.key();
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
    Map<Variant, Long> exposure = session.exposure;
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
      for (Map.Entry<Variant, Long> e : exposure.entrySet()) {
        fraction = Math.min(fraction, e.getValue() / target);
        sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append(' ')
            .append(String.format(java.util.Locale.ROOT, "%.1f", e.getValue() / (double) CampaignSpec.NANOS_PER_HOUR));
      }
      what = sb + " / " + ReportHtml.num(spec.deviceHours()) + " device-h";
    }
    progress.update(fraction, executed, what, force);
  }
}
