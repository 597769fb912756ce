package dev.devemu.campaign;

import java.util.List;

/**
 * What a campaign runs: the scenario (its text travels with the plan, so any node can run it), the runs, a
 * duration override (0 keeps the scenario's), and whether each run records its error-path coverage.
 *
 * @param campaignId stable id (derived from the scenario and the runs), used by durable stores
 * @param coverage whether runs record error-path coverage ({@code campaign --coverage}); it reads values only, so
 *     the runs are the same either way
 */
public record CampaignPlan(String campaignId, String scenarioFile, String scenarioSource, List<RunKey> runs,
    long durationOverrideNanos, boolean coverage) {

  public CampaignPlan(String campaignId, String scenarioFile, String scenarioSource, List<RunKey> runs,
      long durationOverrideNanos) {
    this(campaignId, scenarioFile, scenarioSource, runs, durationOverrideNanos, false);
  }
}
