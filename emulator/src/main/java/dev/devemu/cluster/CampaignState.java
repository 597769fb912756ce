package dev.devemu.cluster;

import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the coordinator's journal says: every campaign's plan and the results recorded for it, in recording order.
 * Built only by {@link CampaignCoordinator}'s event handler, so a restarted coordinator rebuilds exactly this.
 * Mutable on purpose (results can be many); the event handler is its only writer.
 */
final class CampaignState {
  /** One campaign: its plan (runs in the order they were planned) and its results. */
  static final class Campaign {
    final String id;
    final String scenarioFile;
    final String scenarioSource;
    final long durationOverrideNanos;
    final boolean coverage;
    final Set<RunKey> planned = new LinkedHashSet<>();
    final Map<RunKey, RecordedRun> recorded = new LinkedHashMap<>();
    final List<RecordedRun> inOrder = new ArrayList<>();

    Campaign(CampaignPlan plan) {
      this.id = plan.campaignId();
      this.scenarioFile = plan.scenarioFile();
      this.scenarioSource = plan.scenarioSource();
      this.durationOverrideNanos = plan.durationOverrideNanos();
      this.coverage = plan.coverage();
    }

    boolean finished() {
      return recorded.size() == planned.size();
    }

    boolean needs(RunKey key) {
      return planned.contains(key) && !recorded.containsKey(key);
    }

    RunRequest request(RunKey key) {
      return new RunRequest(id, scenarioFile, scenarioSource, key, durationOverrideNanos, coverage);
    }

    /** Whether a resubmitted plan describes the same campaign (same scenario text, duration and coverage). */
    boolean sameScenario(CampaignPlan plan) {
      return scenarioSource.equals(plan.scenarioSource()) && durationOverrideNanos == plan.durationOverrideNanos()
          && coverage == plan.coverage();
    }
  }

  final Map<String, Campaign> campaigns = new LinkedHashMap<>();

  CampaignState apply(CampaignCoordinator.Event event) {
    if (event instanceof CampaignCoordinator.PlanAccepted e) {
      Campaign c = campaigns.computeIfAbsent(e.plan().campaignId(), id -> new Campaign(e.plan()));
      c.planned.addAll(e.plan().runs());
    } else if (event instanceof CampaignCoordinator.ResultRecorded e) {
      Campaign c = campaigns.get(e.campaignId());
      // A result is only persisted for a planned key without one, so replay never sees a duplicate.
      if (c != null && c.recorded.putIfAbsent(e.run().key(), e.run()) == null) c.inOrder.add(e.run());
    }
    return this;
  }
}
