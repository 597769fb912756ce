package dev.devemu.campaign;

import static dev.devemu.kernel.Variant.RAW;
import static dev.devemu.kernel.Variant.SAFE;
import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Variant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SeedSelectionTest {
  static final long H = CampaignSpec.NANOS_PER_HOUR;
  static final CampaignSpec TEN_HOURS = CampaignSpec.ofDeviceHours("s.conf", "s", "x", 10, List.of(RAW, SAFE));

  static void put(Map<RunKey, RunRecord> m, long seed, Variant variant, long hours) {
    m.put(new RunKey(seed, variant), ResultLogTest.record(seed, variant, hours * H));
  }

  static List<RunKey> keys(Object... seedVariant) {
    List<RunKey> out = new java.util.ArrayList<>();
    for (int i = 0; i < seedVariant.length; i += 2) {
      out.add(new RunKey(((Number) seedVariant[i]).longValue(), (Variant) seedVariant[i + 1]));
    }
    return out;
  }

  @Test
  void eachVariantTakesTheSmallestPrefixThatGivesItTheTarget() throws Exception {
    Map<RunKey, RunRecord> m = new TreeMap<>();
    for (long s = 1; s <= 6; s++) {
      put(m, s, RAW, 2);  // raw reaches 10 h at seed 5
      put(m, s, SAFE, 4); // safe at seed 3
    }
    SeedSelection.Result r = SeedSelection.select(TEN_HOURS, m);
    assertTrue(r.complete());
    assertEquals(5, r.of(RAW).lastSeed(), "raw's seed 6 ran in parallel but is not counted");
    assertEquals(3, r.of(SAFE).lastSeed(), "safe stops at its own target, not at raw's seed count");
    assertEquals(10 * H, r.of(RAW).exposureNanos());
    assertEquals(12 * H, r.of(SAFE).exposureNanos());
    assertTrue(r.counts(new RunKey(5, RAW)));
    assertFalse(r.counts(new RunKey(4, SAFE)));
    assertEquals(List.of(), SeedSelection.nextWave(TEN_HOURS, m, 4 * H, 2));

    CampaignAggregator agg = new CampaignAggregator(TEN_HOURS);
    m.values().forEach(agg::add);
    CampaignSummary s = agg.summary();
    assertEquals(8, s.runs(), "5 raw + 3 safe");
    assertEquals(12 * H, s.variants().get(1).exposureNanos());
    var sel = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(CampaignSummary.render(s.toJson())).path("selection");
    assertEquals("raw", sel.path("seeds").get(0).path("variant").asText());
    assertEquals(5, sel.path("seeds").get(0).path("last_seed").asLong());
    assertEquals(3, sel.path("seeds").get(1).path("last_seed").asLong());
    assertTrue(ReportHtml.render(s).contains("Seeds 1..5 (<span class=\"raw\">raw</span>), 1..3"),
        "the report names each variant's seeds");
  }

  @Test
  void aGapStopsOnlyItsOwnVariant() {
    Map<RunKey, RunRecord> m = new TreeMap<>();
    for (long s = 1; s <= 8; s++) {
      put(m, s, RAW, 2);
      if (s != 2) put(m, s, SAFE, 4);
    }
    SeedSelection.Result r = SeedSelection.select(TEN_HOURS, m);
    assertFalse(r.complete());
    assertTrue(r.of(RAW).complete());
    assertEquals(5, r.of(RAW).lastSeed());
    assertEquals(1, r.of(SAFE).lastSeed(), "safe's later runs wait for seed 2");
    assertEquals(keys(2, SAFE), SeedSelection.nextWave(TEN_HOURS, m, 4 * H, 1), "only the missing run is asked for");
  }

  @Test
  void theFirstWaveIsALowerBoundAndLaterWavesAskOnlyForTheVariantsStillShort() {
    Map<RunKey, RunRecord> m = new TreeMap<>();
    // no run can give more than 4 h: at least 3 seeds per variant are needed for 10 h
    assertEquals(keys(1, RAW, 1, SAFE, 2, RAW, 2, SAFE, 3, RAW, 3, SAFE),
        SeedSelection.nextWave(TEN_HOURS, m, 4 * H, 1));
    for (long s = 1; s <= 3; s++) {
      put(m, s, RAW, 1);
      put(m, s, SAFE, 4);
    }
    // safe has 12 h: nothing more; raw has 3 h after 3 seeds: 7 h more at 1 h a seed
    assertEquals(keys(4, RAW, 5, RAW, 6, RAW, 7, RAW, 8, RAW, 9, RAW, 10, RAW),
        SeedSelection.nextWave(TEN_HOURS, m, 4 * H, 1));
    List<RunKey> busy = SeedSelection.nextWave(TEN_HOURS, m, 4 * H, 12);
    assertEquals(12, busy.size(), "at least one run per worker");
    assertTrue(busy.stream().allMatch(k -> k.variant().equals(RAW)), busy.toString());
  }

  @Test
  void aRaisedTargetExtendsEachVariantsSeeds() {
    Map<RunKey, RunRecord> m = new TreeMap<>();
    for (long s = 1; s <= 10; s++) {
      put(m, s, RAW, 2);
      put(m, s, SAFE, 4);
    }
    SeedSelection.Result ten = SeedSelection.select(TEN_HOURS, m);
    SeedSelection.Result sixteen = SeedSelection.select(TEN_HOURS.withTarget(CampaignSpec.Mode.DEVICE_HOURS, 0, 16), m);
    assertEquals(List.of(5L, 3L), ten.variants().stream().map(SeedSelection.VariantSelection::lastSeed).toList());
    assertEquals(List.of(8L, 4L), sixteen.variants().stream().map(SeedSelection.VariantSelection::lastSeed).toList());
    for (RunKey k : m.keySet()) {
      if (ten.counts(k)) assertTrue(sixteen.counts(k), k + " counted for 10 h stays counted for 16 h");
    }
  }

  @Test
  void aVariantThatNeverBindsCannotReachATarget() {
    Map<RunKey, RunRecord> m = new TreeMap<>();
    for (long s = 1; s <= SeedSelection.GIVE_UP_AFTER_RUNS; s++) {
      put(m, s, RAW, 0);
      put(m, s, SAFE, 1);
    }
    CampaignException e = assertThrows(CampaignException.class, () -> SeedSelection.nextWave(TEN_HOURS, m, H, 1));
    assertTrue(e.getMessage().contains("variant raw gained no device exposure in 100 runs"), e.getMessage());
  }

  @Test
  void runsAreSeedsOneToN() {
    CampaignSpec spec = CampaignSpec.ofRuns("s.conf", "s", "x", 3, List.of(RAW));
    Map<RunKey, RunRecord> m = new TreeMap<>();
    put(m, 2, RAW, 1);
    put(m, 7, RAW, 1);
    assertEquals(keys(1, RAW, 3, RAW), SeedSelection.nextWave(spec, m, H, 1));
    SeedSelection.Result r = SeedSelection.select(spec, m);
    assertFalse(r.complete());
    assertEquals(3, r.of(RAW).lastSeed());
    assertFalse(r.counts(new RunKey(7, RAW)));
  }

  @Test
  void theTrackerFollowsArrivingResultsLikeAFullSelection() {
    java.util.List<RunRecord> all = new java.util.ArrayList<>();
    for (long s = 1; s <= 12; s++) {
      all.add(ResultLogTest.record(s, RAW, (s % 3) * H));
      all.add(ResultLogTest.record(s, SAFE, 2 * H));
    }
    java.util.Collections.shuffle(all, new java.util.Random(3));
    for (CampaignSpec spec : List.of(TEN_HOURS, CampaignSpec.ofRuns("s.conf", "s", "x", 7, List.of(RAW, SAFE)))) {
      SeedSelection.Tracker tracker = new SeedSelection.Tracker(spec);
      Map<RunKey, RunRecord> m = new TreeMap<>();
      for (RunRecord r : all) {
        m.put(r.key(), r);
        SeedSelection.Result full = SeedSelection.select(spec, m);
        for (Variant v : spec.variants()) {
          assertEquals(full.of(v).complete(), tracker.complete(v, m), v + " after " + m.size() + " results");
        }
        assertEquals(full.complete(), tracker.complete(m), "after " + m.size() + " results");
      }
      assertTrue(tracker.complete(m));
    }
  }
}
