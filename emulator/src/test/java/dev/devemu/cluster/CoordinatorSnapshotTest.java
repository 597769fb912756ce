package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import dev.devemu.kernel.Variant;
import dev.devemu.campaign.RunRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's state rebuilt from a snapshot (through its Protobuf form, as the snapshot store keeps it) plus
 * the journal's tail equals the state rebuilt from every event — for a snapshot taken after each event in turn — and
 * what the state remembers stays bounded: forgotten results leave memory, reopened keys have no result.
 */
class CoordinatorSnapshotTest {
  static final String SCENARIO = SingleNodeCampaign.SCENARIO;

  static RecordedRun result(RunKey k, String node) {
    // (a record always names a variant; a key without one ran the scenario's own)
    return new RecordedRun(k, RunRecord.internalError(k.variant() == null ? new RunKey(k.seed(), Variant.RAW) : k,
        "sample " + k), node);
  }

  /** A history with every kind of event: plans in two parts, results, writes, a reopen, a cancel and a delete. */
  static List<CampaignCoordinator.Event> history() {
    List<CampaignCoordinator.Event> events = new ArrayList<>();
    List<RunKey> first = new ArrayList<>();
    for (int s = 1; s <= 70; s++) { // across a 64-bit word of the bit set
      first.add(new RunKey(s, Variant.RAW));
      first.add(new RunKey(s, Variant.SAFE));
    }
    first.add(new RunKey(-3, null)); // not a compact key
    events.add(new CampaignCoordinator.PlanAccepted(new CampaignPlan("c1", "a.conf", SCENARIO, first, 0)));
    events.add(new CampaignCoordinator.PlanAccepted(new CampaignPlan("c2", "b.conf", SCENARIO,
        List.of(new RunKey(1, Variant.RAW), new RunKey(2, Variant.RAW)), 5_000_000)));
    String[] nodes = {"pekko://devemu@127.0.0.1:1", "pekko://devemu@127.0.0.1:2"};
    for (int i = 0; i < 40; i++) {
      events.add(new CampaignCoordinator.ResultRecorded("c1", result(first.get(i), nodes[i % 2])));
    }
    events.add(new CampaignCoordinator.ResultRecorded("c1", result(new RunKey(-3, null), nodes[0])));
    events.add(new CampaignCoordinator.ResultsWritten("c1", 25));
    events.add(new CampaignCoordinator.RunsReopened("c1", List.of(first.get(3), first.get(5)))); // both forgotten
    events.add(new CampaignCoordinator.ResultRecorded("c2", result(new RunKey(1, Variant.RAW), nodes[1])));
    events.add(new CampaignCoordinator.PlanAccepted(new CampaignPlan("c1", "a.conf", SCENARIO,
        List.of(new RunKey(500, Variant.RAW)), 0)));
    events.add(new CampaignCoordinator.ResultRecorded("c1", result(first.get(3), nodes[1])));
    events.add(new CampaignCoordinator.CampaignCancelled("c2"));
    events.add(new CampaignCoordinator.PlanAccepted(new CampaignPlan("c3", "c.conf", SCENARIO,
        List.of(new RunKey(9, Variant.SAFE)), 0)));
    events.add(new CampaignCoordinator.CampaignDeleted("c3"));
    return events;
  }

  static CampaignState replay(CampaignState from, List<CampaignCoordinator.Event> events) {
    for (CampaignCoordinator.Event e : events) from.apply(e);
    return from;
  }

  /** Through the snapshot's wire form, as the snapshot store writes and reads it. */
  static CampaignState throughStore(CampaignState s) throws Exception {
    byte[] bytes = ClusterCodecs.snapshot(s.snapshot()).toByteArray();
    return CampaignState.of(ClusterCodecs.snapshot(dev.devemu.protocol.v1.CoordinatorSnapshot.parseFrom(bytes)));
  }

  @Test
  void snapshotPlusTailEqualsTheWholeJournalAfterEveryEvent() throws Exception {
    List<CampaignCoordinator.Event> all = history();
    CampaignCoordinator.CoordinatorSnapshot whole = replay(new CampaignState(), all).snapshot();
    for (int cut = 0; cut <= all.size(); cut++) {
      CampaignState head = throughStore(replay(new CampaignState(), all.subList(0, cut)));
      CampaignState restored = replay(head, all.subList(cut, all.size()));
      assertEquals(whole, restored.snapshot(), "snapshot after event " + cut);
    }
  }

  @Test
  void writtenResultsLeaveMemoryAndReopenedKeysHaveNoResult() {
    CampaignState s = replay(new CampaignState(), history());
    CampaignState.Campaign c1 = s.campaigns.get("c1");
    // 41 recorded, 2 reopened, 1 of them recorded again: 40; 25 were written and forgotten.
    assertEquals(40, c1.done());
    assertEquals(25, c1.written);
    assertEquals(41 + 1 - 25, c1.unwritten.size(), "results recorded after index 25, the re-run one included");
    assertEquals(142, c1.planned.size());
    assertTrue(c1.needs(new RunKey(3, Variant.SAFE)), "reopened and not recorded again: it runs again");
    assertFalse(c1.needs(new RunKey(2, Variant.SAFE)), "reopened and recorded again");
    assertFalse(c1.needs(new RunKey(-3, null)), "recorded, not written yet");
    assertTrue(s.campaigns.get("c2").cancelled);
    assertTrue(s.campaigns.get("c2").finished(), "a cancelled campaign is finished");
    assertFalse(s.campaigns.get("c2").needs(new RunKey(2, Variant.RAW)), "nothing of a cancelled campaign runs");
    assertFalse(s.campaigns.containsKey("c3"), "deleted");
  }

  @Test
  void keySetHoldsSeedsAsBitsAndOtherKeysAside() {
    KeySet k = new KeySet();
    assertTrue(k.add(new RunKey(1, Variant.RAW)));
    assertFalse(k.add(new RunKey(1, Variant.RAW)));
    assertTrue(k.add(new RunKey(1, Variant.SAFE)));
    assertTrue(k.add(new RunKey(-1, Variant.RAW)));
    assertTrue(k.add(new RunKey(1L << 40, Variant.RAW)));
    assertTrue(k.add(new RunKey(7, null)));
    assertEquals(5, k.size());
    assertTrue(k.contains(new RunKey(1L << 40, Variant.RAW)));
    assertFalse(k.contains(new RunKey(2, Variant.RAW)));
    assertTrue(k.remove(new RunKey(1, Variant.RAW)));
    assertFalse(k.remove(new RunKey(1, Variant.RAW)));
    assertTrue(k.remove(new RunKey(7, null)));
    assertEquals(3, k.size());
    assertEquals(List.of(new RunKey(-1, Variant.RAW), new RunKey(1, Variant.SAFE), new RunKey(1L << 40, Variant.RAW)),
        k.keys().stream().sorted().toList());
  }
}
