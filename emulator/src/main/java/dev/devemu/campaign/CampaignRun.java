package dev.devemu.campaign;

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
   * Runs one key on a lane of {@code host}, on the calling thread. An exception inside the emulator (not a driver
   * bug: those are oopses) becomes an {@code internal-error} result: it is deterministic too, so it is this key's
   * result, and running it again elsewhere would give the same.
   *
   * @param campaignId only for the log line of an internal error
   */
  public static RunResult execute(SimHost host, int lane, Scenario base, RunKey key, long durationOverrideNanos,
      String campaignId) {
    Scenario scenario = scenarioOf(base, key, durationOverrideNanos);
    try {
      return Runner.run(host, lane, scenario, key.seed(), Runner.Options.defaults().withTrace(Runner.TraceMode.NONE))
          .result();
    } catch (RuntimeException e) {
      LOG.error("run {} of campaign {} failed inside the emulator", key, campaignId, e);
      return new RunResult(scenario.name(), key.seed(), String.join("+", scenario.variants()), "internal-error", 0, 0,
          List.of(), Map.of(), List.of(), 0, 0, List.of(), String.valueOf(e.getMessage()));
    }
  }
}
