package dev.devemu.campaign;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SeedSelectionTest {
  static final long H = CampaignSpec.NANOS_PER_HOUR;
  static final CampaignSpec TEN_HOURS = CampaignSpec.ofDeviceHours("s.conf", "s", "x", 10, List.of("raw", "safe"));

  static void put(Map<RunKey, RunRecord> m, long seed, String variant, long hours) {
    m.put(new RunKey(seed, variant), ResultLogTest.record(seed, variant, hours * H));
  }

  @Test
  void deviceHoursTakeTheSmallestPrefixThatGivesEveryVariantTheTarget() {
    Map<RunKey, RunRecord> m = new TreeMap<>();
    for (long s = 1; s <= 6; s++) {
      put(m, s, "raw", 2);  // raw reaches 10 h at seed 5
      put(m, s, "safe", 4); // safe at seed 3
    }
    SeedSelection.Result r = SeedSelection.select(TEN_HOURS, m);
    assertTrue(r.complete());
    assertEquals(5, r.lastSeed(), "seed 6 ran in parallel but is not counted");
    assertEquals(10 * H, r.exposureNanos().get("raw"));
    assertEquals(20 * H, r.exposureNanos().get("safe"));
    assertEquals(List.of(), SeedSelection.nextWave(TEN_HOURS, m, 4 * H, 2));
  }

  @Test
  void aGapStopsThePrefixWhateverFinishedAfterIt() {
    Map<RunKey, RunRecord> m = new TreeMap<>();
    for (long s = 1; s <= 8; s++) {
      put(m, s, "raw", 2);
      if (s != 2) put(m, s, "safe", 4);
    }
    SeedSelection.Result r = SeedSelection.select(TEN_HOURS, m);
    assertFalse(r.complete());
    assertEquals(1, r.lastSeed());
    assertEquals(List.of(2L), SeedSelection.nextWave(TEN_HOURS, m, 4 * H, 1), "only the missing seed is asked for");
  }

  @Test
  void theFirstWaveIsALowerBoundAndLaterWavesFollowTheObservedExposure() {
    Map<RunKey, RunRecord> m = new TreeMap<>();
    // no run can give more than 4 h: at least 3 seeds are needed for 10 h
    assertEquals(List.of(1L, 2L, 3L), SeedSelection.nextWave(TEN_HOURS, m, 4 * H, 1));
    for (long s = 1; s <= 3; s++) {
      put(m, s, "raw", 1);
      put(m, s, "safe", 4);
    }
    // raw has 3 h after 3 seeds: 7 h more at 1 h a seed
    assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L, 10L), SeedSelection.nextWave(TEN_HOURS, m, 4 * H, 1));
    assertEquals(12, SeedSelection.nextWave(TEN_HOURS, m, 4 * H, 12).size(), "at least one seed per worker");
  }

  @Test
  void aVariantThatNeverBindsCannotReachATarget() {
    Map<RunKey, RunRecord> m = new TreeMap<>();
    for (long s = 1; s <= SeedSelection.GIVE_UP_AFTER_RUNS; s++) {
      put(m, s, "raw", 0);
      put(m, s, "safe", 1);
    }
    CampaignException e = assertThrows(CampaignException.class, () -> SeedSelection.nextWave(TEN_HOURS, m, H, 1));
    assertTrue(e.getMessage().contains("variant raw gained no device exposure"), e.getMessage());
  }

  @Test
  void runsAreSeedsOneToN() {
    CampaignSpec spec = CampaignSpec.ofRuns("s.conf", "s", "x", 3, List.of("raw"));
    Map<RunKey, RunRecord> m = new TreeMap<>();
    put(m, 2, "raw", 1);
    put(m, 7, "raw", 1);
    assertEquals(List.of(1L, 3L), SeedSelection.nextWave(spec, m, H, 1));
    SeedSelection.Result r = SeedSelection.select(spec, m);
    assertFalse(r.complete());
    assertEquals(3, r.lastSeed());
  }

  @Test
  void theTrackerFollowsArrivingResultsLikeAFullSelection() {
    java.util.List<RunRecord> all = new java.util.ArrayList<>();
    for (long s = 1; s <= 12; s++) {
      all.add(ResultLogTest.record(s, "raw", (s % 3) * H));
      all.add(ResultLogTest.record(s, "safe", 2 * H));
    }
    java.util.Collections.shuffle(all, new java.util.Random(3));
    for (CampaignSpec spec : List.of(TEN_HOURS, CampaignSpec.ofRuns("s.conf", "s", "x", 7, List.of("raw", "safe")))) {
      SeedSelection.Tracker tracker = new SeedSelection.Tracker(spec);
      Map<RunKey, RunRecord> m = new TreeMap<>();
      for (RunRecord r : all) {
        m.put(r.key(), r);
        assertEquals(SeedSelection.select(spec, m).complete(), tracker.complete(m), "after " + m.size() + " results");
      }
      assertTrue(tracker.complete(m));
    }
  }
}
