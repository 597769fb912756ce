package dev.devemu.cluster;

import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;

/**
 * Everything a node needs to execute one run: the scenario travels with it, so a node needs no shared files.
 *
 * @param durationOverrideNanos 0 keeps the scenario's duration
 * @param coverage whether the run records its error-path coverage into its record
 */
public record RunRequest(String campaignId, String scenarioFile, String scenarioSource, RunKey key,
    long durationOverrideNanos, boolean coverage) {

  public RunRequest(String campaignId, String scenarioFile, String scenarioSource, RunKey key,
      long durationOverrideNanos) {
    this(campaignId, scenarioFile, scenarioSource, key, durationOverrideNanos, false);
  }

  static RunRequest of(CampaignPlan plan, RunKey key) {
    return new RunRequest(plan.campaignId(), plan.scenarioFile(), plan.scenarioSource(), key,
        plan.durationOverrideNanos(), plan.coverage());
  }

  HeldRun held() {
    return new HeldRun(campaignId, key);
  }
}
