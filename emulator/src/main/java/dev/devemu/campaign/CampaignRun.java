package dev.devemu.campaign;

import dev.devemu.kernel.ErrorPaths;
import dev.devemu.kernel.Variant;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Runner;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one run of a campaign is made, wherever it executes (a {@link LocalCampaignBackend} thread or a cluster
 * node's lane): the plan's scenario, the key's variant, the plan's duration, the default strategy, no trace. Every
 * backend calls this, so a change to how a run is made lands everywhere at once and all backends stay
 * byte-comparable.
 */
public final class CampaignRun {
  private static final Logger LOG = LoggerFactory.getLogger(CampaignRun.class);

  private CampaignRun() {}

  /**
   * Parses a plan's scenario text (once per plan; {@link #execute} derives each run's scenario from it).
   *
   * @throws dev.devemu.scenario.ScenarioException for a bad scenario
   */
  public static Scenario parse(CampaignPlan plan) {
    return parse(plan.scenarioFile(), plan.scenarioSource());
  }

  public static Scenario parse(String scenarioFile, String scenarioSource) {
    return ScenarioLoader.parse(scenarioFile, scenarioSource);
  }

  /** The scenario one key runs: every driver in the key's variant, the duration overridden if asked. */
  public static Scenario scenarioOf(Scenario base, RunKey key, long durationOverrideNanos) {
    Scenario s = base.withVariant(key.variant());
    return durationOverrideNanos > 0 ? s.withDuration(durationOverrideNanos) : s;
  }

  /**
   * Runs one key and keeps of it what a campaign keeps ({@link RunRecord}): the one shape a result has from here to
   * {@code results.jsonl}, on every backend.
   */
  public static RunRecord record(SimHost host, int lane, Scenario base, RunKey key, long durationOverrideNanos,
      String campaignId) {
    return record(host, lane, base, key, durationOverrideNanos, campaignId, false);
  }

  /**
   * Like {@link #record(SimHost, int, Scenario, RunKey, long, String)}; with {@code coverage} the record also holds
   * the run's error-path coverage (recording reads values only: the run itself is the same).
   */
  public static RunRecord record(SimHost host, int lane, Scenario base, RunKey key, long durationOverrideNanos,
      String campaignId, boolean coverage) {
    ErrorPaths paths = coverage ? new ErrorPaths() : null;
    return RunRecord.of(key, execute(host, lane, base, key, durationOverrideNanos, campaignId, paths), paths);
  }

  /**
   * Runs one key on a lane of {@code host}, on the calling thread. An exception inside the emulator (not a driver
   * bug: those are oopses) becomes an {@code internal-error} result: it is deterministic too, so it is this key's
   * result, and running it again elsewhere would give the same.
   *
   * <p>The result leaves out the run's kernel log. A campaign keeps of a run what {@link RunRecord} holds, and the
   * log of any run comes back with {@code devemu run FILE --seed N --variant V}; without it a result is about a tenth
   * of the size (article-stress: 6.1 KB → 0.6 KB as Protobuf) on the wire, in a cluster's journal and in its
   * coordinator's memory.
   *
   * @param campaignId only for the log line of an internal error
   */
  public static RunResult execute(SimHost host, int lane, Scenario base, RunKey key, long durationOverrideNanos,
      String campaignId) {
    return execute(host, lane, base, key, durationOverrideNanos, campaignId, null);
  }

  /** Like {@link #execute(SimHost, int, Scenario, RunKey, long, String)}, recording error paths into {@code paths}. */
  public static RunResult execute(SimHost host, int lane, Scenario base, RunKey key, long durationOverrideNanos,
      String campaignId, ErrorPaths paths) {
    Scenario scenario = scenarioOf(base, key, durationOverrideNanos);
    try {
      RunResult r = Runner.run(host, lane, scenario, key.seed(),
          Runner.Options.defaults().withTrace(Runner.TraceMode.NONE).withErrorPaths(paths)).result();
      return new RunResult(r.scenario(), r.seed(), r.variant(), r.outcome(), r.virtualNanos(), r.choices(), r.oopses(),
          r.exposureNanos(), r.probeFailures(), r.faultsInjected(), r.hotplugEvents(), List.of(), r.internalError());
    } catch (RuntimeException e) {
      LOG.error("run {} of campaign {} failed inside the emulator", key, campaignId, e);
      return new RunResult(scenario.name(), key.seed(), scenario.variantText(), "internal-error", 0, 0,
          List.of(), Map.of(), List.of(), 0, 0, List.of(), String.valueOf(e.getMessage()));
    }
  }
}
