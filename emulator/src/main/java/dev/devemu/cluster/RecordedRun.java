package dev.devemu.cluster;

import dev.devemu.campaign.RunKey;
import dev.devemu.testbed.RunResult;

/** A result as the coordinator recorded it, with the node that ran it. */
public record RecordedRun(RunKey key, RunResult result, String node) {}
