package dev.devemu.campaign;

import java.util.List;

/**
 * What a campaign runs: the scenario (its text travels with the plan, so any node can run it), the runs, and a
 * duration override (0 keeps the scenario's).
 *
 * @param campaignId stable id (derived from the scenario and the runs), used by durable stores
 */
public record CampaignPlan(String campaignId, String scenarioFile, String scenarioSource, List<RunKey> runs,
    long durationOverrideNanos) {}
