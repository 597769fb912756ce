package dev.devemu.sim.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The bookkeeping of lost domains: records, when a planned loss is due, the detector and {@code lose}. */
class DomainLossesTest {
  @Test
  void aRecordIsAChoiceThatNamesTheDomainAndTheRound() {
    String record = DomainLosses.recordActor("usb1", 1234);
    assertEquals("@lost|usb1@1234", record);
    List<DomainLosses.Planned> found = DomainLosses.fromChoices(List.of("cpu0", "@clock", "cam0|pci-0000_00_05.0",
        record, "@lost|card-0@7", "@lost|broken@x"));
    assertEquals(2, found.size(), found.toString());
    assertEquals("usb1", found.get(0).domain());
    assertEquals(1234, found.get(0).round());
    assertEquals("card-0", found.get(1).domain());
    assertEquals(7, found.get(1).round());
  }

  @Test
  void aLossAtATimeIsDueInTheRoundThatEndsThereAndCapsTheRoundsBefore() {
    DomainLosses l = new DomainLosses(List.of(DomainLosses.Planned.at("card0", 5_000, "test")));
    assertEquals(5_000, l.nextPlannedAt(0), "rounds may not end past it");
    assertEquals(Long.MAX_VALUE, l.nextPlannedAt(5_000), "once a round has ended there, nothing to cap");
    assertTrue(l.plannedFor(3, 4_999).isEmpty());
    assertEquals(java.util.Set.of("card0"), l.plannedFor(3, 5_000));
    assertTrue(l.due(2, 4_000).isEmpty());
    List<String[]> due = l.due(3, 5_000);
    assertEquals(1, due.size());
    assertEquals("card0", due.get(0)[0]);
    assertTrue(l.due(4, 6_000).isEmpty(), "a planned loss is taken once");
  }

  @Test
  void aDetectorDecidesAtTheBarrierAndLoseTakesEffectAtTheNext() {
    DomainLosses l = DomainLosses.none();
    l.detector((round, boundary, losses) -> {
      if (round == 10) losses.lose("cam0", "node n3 silent");
    });
    assertTrue(l.due(9, 900).isEmpty());
    List<String[]> due = l.due(10, 1_000);
    assertEquals(1, due.size());
    assertEquals("node n3 silent", due.get(0)[1]);
    l.lose("usb1", "asked");
    assertEquals("usb1", l.due(11, 1_100).get(0)[0]);
    assertThrows(IllegalArgumentException.class, () -> l.lose(DomainPlan.GUEST, "no"));
  }
}
