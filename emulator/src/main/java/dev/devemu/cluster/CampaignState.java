package dev.devemu.cluster;

import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the coordinator's journal says: every campaign's plan, which keys have a result, and the results no client
 * has written yet, in recording order. Built only by {@link CampaignCoordinator}'s event handler (and from a
 * snapshot, {@link CampaignCoordinator.CoordinatorSnapshot}), so a restarted coordinator rebuilds exactly this.
 * Mutable on purpose (keys can be many); the event handler is its only writer.
 *
 * <p>Bounded memory: keys are bit sets ({@link KeySet}), and a result is kept only until a client says it wrote it
 * ({@link CampaignCoordinator.ResultsWritten}: results before index {@code written} are gone).
 */
final class CampaignState {
  /** One campaign: its plan, which keys have results, and the results not written yet. */
  static final class Campaign {
    final String id;
    final String scenarioFile;
    final String scenarioSource;
    final long durationOverrideNanos;
    final boolean coverage;
    final KeySet planned;
    final KeySet recorded;
    /** Results with recording index {@code written}, {@code written + 1}, …: recorded, not yet written by a client. */
    final List<RecordedRun> unwritten = new ArrayList<>();
    long written;
    final Map<String, Long> doneByNode = new TreeMap<>();
    boolean cancelled;
    /** Simulated device time one run gives (duration × devices); computed when first needed. */
    private long deviceNanosPerRun = -1;

    Campaign(CampaignPlan plan) {
      this(plan.campaignId(), plan.scenarioFile(), plan.scenarioSource(), plan.durationOverrideNanos(), plan.coverage(),
          new KeySet(), new KeySet());
    }

    Campaign(String id, String scenarioFile, String scenarioSource, long durationOverrideNanos, boolean coverage,
        KeySet planned, KeySet recorded) {
      this.coverage = coverage;
      this.id = id;
      this.scenarioFile = scenarioFile;
      this.scenarioSource = scenarioSource;
      this.durationOverrideNanos = durationOverrideNanos;
      this.planned = planned;
      this.recorded = recorded;
    }

    long done() {
      return recorded.size();
    }

    /** Every planned key has a result, or the campaign was cancelled. */
    boolean finished() {
      return cancelled || recorded.size() == planned.size();
    }

    boolean needs(RunKey key) {
      return !cancelled && planned.contains(key) && !recorded.contains(key);
    }

    /** Index in recording order of the next result to be recorded. */
    long recordedUpTo() {
      return written + unwritten.size();
    }

    RunRequest request(RunKey key) {
      return new RunRequest(id, scenarioFile, scenarioSource, key, durationOverrideNanos, coverage);
    }

    /** Whether a resubmitted plan describes the same campaign (same scenario text, duration and coverage). */
    boolean sameScenario(CampaignPlan plan) {
      return scenarioSource.equals(plan.scenarioSource()) && durationOverrideNanos == plan.durationOverrideNanos()
          && coverage == plan.coverage();
    }

    long deviceNanosPerRun() {
      if (deviceNanosPerRun < 0) deviceNanosPerRun = deviceNanosPerRun(scenarioFile, scenarioSource, durationOverrideNanos);
      return deviceNanosPerRun;
    }

    static long deviceNanosPerRun(String file, String source, long durationOverrideNanos) {
      Scenario s = ScenarioLoader.parse(file, source);
      long duration = durationOverrideNanos > 0 ? durationOverrideNanos : s.durationNanos();
      return duration * Math.max(1, s.devices().size());
    }
  }

  final Map<String, Campaign> campaigns = new LinkedHashMap<>();

  /** An immutable copy for a snapshot (the live state is mutable and changes after the snapshot is taken). */
  CampaignCoordinator.CoordinatorSnapshot snapshot() {
    List<CampaignCoordinator.CampaignSnapshot> out = new ArrayList<>();
    for (Campaign c : campaigns.values()) {
      out.add(new CampaignCoordinator.CampaignSnapshot(c.id, c.scenarioFile, c.scenarioSource, c.durationOverrideNanos,
          copy(c.planned.bitSets()), sorted(c.planned.others()), copy(c.recorded.bitSets()),
          sorted(c.recorded.others()), List.copyOf(c.unwritten), c.written, new TreeMap<>(c.doneByNode),
          c.cancelled, c.coverage));
    }
    return new CampaignCoordinator.CoordinatorSnapshot(List.copyOf(out));
  }

  /** The state a snapshot holds. */
  static CampaignState of(CampaignCoordinator.CoordinatorSnapshot snapshot) {
    CampaignState state = new CampaignState();
    for (CampaignCoordinator.CampaignSnapshot s : snapshot.campaigns()) {
      Campaign c = new Campaign(s.campaignId(), s.scenarioFile(), s.scenarioSource(), s.durationOverrideNanos(),
          s.coverage(), KeySet.of(s.plannedSeeds(), s.plannedOthers()), KeySet.of(s.recordedSeeds(), s.recordedOthers()));
      c.unwritten.addAll(s.unwritten());
      c.written = s.written();
      c.doneByNode.putAll(s.doneByNode());
      c.cancelled = s.cancelled();
      state.campaigns.put(c.id, c);
    }
    return state;
  }

  private static List<RunKey> sorted(java.util.Set<RunKey> keys) {
    return List.copyOf(new java.util.TreeSet<>(keys));
  }

  private static Map<String, java.util.BitSet> copy(Map<String, java.util.BitSet> bits) {
    Map<String, java.util.BitSet> out = new TreeMap<>();
    bits.forEach((v, b) -> {
      if (!b.isEmpty()) out.put(v, (java.util.BitSet) b.clone()); // a variant whose keys all went: as if never there
    });
    return out;
  }

  CampaignState apply(CampaignCoordinator.Event event) {
    if (event instanceof CampaignCoordinator.PlanAccepted e) {
      Campaign c = campaigns.computeIfAbsent(e.plan().campaignId(), id -> new Campaign(e.plan()));
      for (RunKey k : e.plan().runs()) c.planned.add(k);
    } else if (event instanceof CampaignCoordinator.ResultRecorded e) {
      Campaign c = campaigns.get(e.campaignId());
      // A result is only persisted for a planned key without one, so replay never sees a duplicate.
      if (c != null && c.recorded.add(e.run().key())) {
        c.unwritten.add(e.run());
        c.doneByNode.merge(e.run().node(), 1L, Long::sum);
      }
    } else if (event instanceof CampaignCoordinator.ResultsWritten e) {
      Campaign c = campaigns.get(e.campaignId());
      if (c != null && e.upTo() > c.written) {
        int drop = (int) Math.min(c.unwritten.size(), e.upTo() - c.written);
        c.unwritten.subList(0, drop).clear();
        c.written += drop;
      }
    } else if (event instanceof CampaignCoordinator.RunsReopened e) {
      Campaign c = campaigns.get(e.campaignId());
      if (c != null) for (RunKey k : e.keys()) c.recorded.remove(k);
    } else if (event instanceof CampaignCoordinator.CampaignCancelled e) {
      Campaign c = campaigns.get(e.campaignId());
      if (c != null) c.cancelled = true;
    } else if (event instanceof CampaignCoordinator.CampaignDeleted e) {
      campaigns.remove(e.campaignId());
    }
    return this;
  }
}
