package dev.devemu.campaign;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which seeds a campaign's results are made of — a function of the spec and the results only, never of the order
 * in which runs finished or of how many ran in parallel, so that any backend ends with the same seed set.
 *
 * <ul>
 *   <li>{@code --runs N}: seeds 1..N.</li>
 *   <li>{@code --device-hours H}: the smallest N such that, for every variant, the exposure summed over seeds
 *       1..N reaches H. Runs of seeds above N (started in parallel before N was known) are not counted.</li>
 * </ul>
 */
public final class SeedSelection {
  /** A variant still without any exposure after this many seeds will never reach a device-hours target. */
  static final long GIVE_UP_AFTER_RUNS = 100;

  private SeedSelection() {}

  /**
   * @param lastSeed the seeds counted are 1..lastSeed (0: none yet)
   * @param complete whether every run of 1..lastSeed is there and the target is reached
   * @param exposureNanos per variant, summed over the seeds counted
   */
  public record Result(long lastSeed, boolean complete, Map<String, Long> exposureNanos) {}

  public static Result select(CampaignSpec spec, Map<RunKey, RunRecord> records) {
    Map<String, Long> exposure = new LinkedHashMap<>();
    for (String v : spec.variants()) exposure.put(v, 0L);
    if (spec.mode() == CampaignSpec.Mode.RUNS) {
      boolean complete = true;
      for (long seed = 1; seed <= spec.runs(); seed++) {
        for (String v : spec.variants()) {
          RunRecord r = records.get(new RunKey(seed, v));
          if (r == null) complete = false;
          else exposure.merge(v, r.totalExposureNanos(), Long::sum);
        }
      }
      return new Result(spec.runs(), complete, exposure);
    }
    long target = spec.targetExposureNanos();
    for (long seed = 1; ; seed++) {
      for (String v : spec.variants()) {
        if (!records.containsKey(new RunKey(seed, v))) return new Result(seed - 1, false, exposure);
      }
      for (String v : spec.variants()) exposure.merge(v, records.get(new RunKey(seed, v)).totalExposureNanos(), Long::sum);
      if (exposure.values().stream().allMatch(e -> e >= target)) return new Result(seed, true, exposure);
    }
  }

  /**
   * The next seeds to run, or an empty list when the selection is complete. For a device-hours target the wave
   * covers the seeds that, at the mean exposure per seed seen so far, would reach the target (plus 5%, and at
   * least {@code minWave} seeds); the first wave is a lower bound on N, since no run can give a variant more than
   * {@code maxExposurePerRunNanos}.
   *
   * @throws CampaignException if a variant gains no exposure at all: the target cannot be reached
   */
  public static List<Long> nextWave(CampaignSpec spec, Map<RunKey, RunRecord> records, long maxExposurePerRunNanos,
      int minWave) {
    Result now = select(spec, records);
    if (now.complete()) return List.of();
    List<Long> wave = new ArrayList<>();
    if (spec.mode() == CampaignSpec.Mode.RUNS) {
      for (long seed = 1; seed <= spec.runs(); seed++) {
        for (String v : spec.variants()) {
          if (!records.containsKey(new RunKey(seed, v))) {
            wave.add(seed);
            break;
          }
        }
      }
      return wave;
    }
    long target = spec.targetExposureNanos();
    long prefix = now.lastSeed();
    // Expected exposure of a seed not run yet, per variant: the mean so far, or (before any result) the most a
    // run can give, which makes the first wave a lower bound on N.
    Map<String, Double> perSeed = new LinkedHashMap<>();
    for (String v : spec.variants()) {
      long have = now.exposureNanos().get(v);
      if (prefix == 0) {
        perSeed.put(v, (double) Math.max(1, maxExposurePerRunNanos));
      } else if (have > 0) {
        perSeed.put(v, (double) have / prefix);
      } else if (prefix < GIVE_UP_AFTER_RUNS) {
        perSeed.put(v, Math.max(1.0, target / (2.0 * prefix))); // nothing yet: try twice as many seeds
      } else {
        throw new CampaignException("variant " + v + " gained no device exposure in " + prefix + " runs: no "
            + "driver stayed bound, so " + spec.deviceHours() + " device-hours cannot be reached (check the "
            + "scenario's devices and drivers)");
      }
    }
    // Walk on from the prefix, counting runs already done at their real exposure and missing ones at the
    // expected one, until every variant would reach the target; ask for the missing seeds on the way.
    Map<String, Double> acc = new LinkedHashMap<>();
    for (String v : spec.variants()) acc.put(v, (double) now.exposureNanos().get(v));
    long seed = prefix;
    while (acc.entrySet().stream().anyMatch(e -> e.getValue() < target)) {
      seed++;
      boolean missing = false;
      for (String v : spec.variants()) {
        RunRecord r = records.get(new RunKey(seed, v));
        missing |= r == null;
        acc.merge(v, r != null ? r.totalExposureNanos() : perSeed.get(v), Double::sum);
      }
      if (missing) wave.add(seed);
    }
    // 5% margin once the mean is measured (it is only an estimate), and enough to keep every worker busy
    long want = Math.max(minWave, wave.size() + (prefix == 0 ? 0 : wave.size() / 20));
    while (wave.size() < want) {
      seed++;
      for (String v : spec.variants()) {
        if (!records.containsKey(new RunKey(seed, v))) {
          wave.add(seed);
          break;
        }
      }
    }
    return wave;
  }

  /**
   * Whether the selection is complete, followed as results arrive: results are only ever added, so the prefix of
   * seeds with every variant present only grows, and each call continues where the last one stopped (a campaign
   * asks after every run; walking all seeds each time would cost O(N²)).
   */
  static final class Tracker {
    private final CampaignSpec spec;
    private final Map<String, Long> exposure = new LinkedHashMap<>();
    private long lastSeed;
    private boolean complete;

    Tracker(CampaignSpec spec) {
      this.spec = spec;
      for (String v : spec.variants()) exposure.put(v, 0L);
    }

    boolean complete(Map<RunKey, RunRecord> records) {
      long target = spec.targetExposureNanos();
      while (!complete) {
        long seed = lastSeed + 1;
        if (spec.mode() == CampaignSpec.Mode.RUNS && seed > spec.runs()) {
          complete = true;
          break;
        }
        for (String v : spec.variants()) {
          if (!records.containsKey(new RunKey(seed, v))) return false;
        }
        for (String v : spec.variants()) exposure.merge(v, records.get(new RunKey(seed, v)).totalExposureNanos(), Long::sum);
        lastSeed = seed;
        if (spec.mode() == CampaignSpec.Mode.DEVICE_HOURS && exposure.values().stream().allMatch(e -> e >= target)) {
          complete = true;
        }
      }
      return true;
    }
  }
}
