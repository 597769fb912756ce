package dev.devemu.cluster;

import dev.devemu.campaign.RunKey;

/** One run of one campaign, as the coordinator and the workers name it. */
public record HeldRun(String campaignId, RunKey key) {}
