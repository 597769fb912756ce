package dev.devemu.cluster;

import dev.devemu.campaign.RunKey;
import dev.devemu.campaign.RunRecord;

/**
 * A result as the coordinator recorded it: the run's key, the {@link RunRecord} its worker made (the one shape a
 * result has from the lane to {@code results.jsonl}) and the node that ran it.
 */
public record RecordedRun(RunKey key, RunRecord record, String node) {}
