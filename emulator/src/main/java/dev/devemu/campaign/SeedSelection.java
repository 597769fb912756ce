package dev.devemu.campaign;

import dev.devemu.kernel.Variant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which runs a campaign's results are made of — a function of the spec and the results only, never of the order
 * in which runs finished or of how many ran in parallel, so that any backend ends with the same counted set.
 *
 * <ul>
 *   <li>{@code --runs N}: seeds 1..N for every variant.</li>
 *   <li>{@code --device-hours H}: for each variant {@code v} on its own, seeds 1..N_v, N_v the smallest such that
 *       v's exposure summed over seeds 1..N_v reaches H. Each variant's rate needs only its own H, and the
 *       statistics (a Poisson interval per variant, the conditional binomial for the ratio) do not need the
 *       variants to share seeds; sharing them would make a variant with long runs (safe, which rarely oopses)
 *       simulate several times H while one that ends at its first oops (raw) collects its H. Runs of a variant
 *       beyond its N_v (started in parallel before N_v was known) are not counted.</li>
 * </ul>
 */
public final class SeedSelection {
  /** A variant still without any exposure after this many of its seeds will never reach a device-hours target. */
  static final long GIVE_UP_AFTER_RUNS = 100;

  private SeedSelection() {}

  /**
   * The selection of one variant.
   *
   * @param lastSeed the seeds counted are 1..lastSeed (0: none yet)
   * @param exposureNanos summed over the seeds counted
   * @param complete whether every run of 1..lastSeed is there and the variant's target is reached
   */
  public record VariantSelection(Variant variant, long lastSeed, long exposureNanos, boolean complete) {}

  /**
   * @param variants one per variant of the spec, in its order
   * @param complete whether every variant's selection is complete
   */
  public record Result(List<VariantSelection> variants, boolean complete) {
    public Result {
      variants = List.copyOf(variants);
    }

    public VariantSelection of(Variant variant) {
      for (VariantSelection v : variants) {
        if (v.variant().equals(variant)) return v;
      }
      throw new IllegalArgumentException("no variant " + variant + " in this campaign");
    }

    /** Whether a run counts: its variant is the campaign's and its seed within that variant's 1..lastSeed. */
    public boolean counts(RunKey key) {
      for (VariantSelection v : variants) {
        if (v.variant().equals(key.variant())) return key.seed() >= 1 && key.seed() <= v.lastSeed();
      }
      return false;
    }

    /** The highest last seed over the variants. */
    public long maxLastSeed() {
      long max = 0;
      for (VariantSelection v : variants) max = Math.max(max, v.lastSeed());
      return max;
    }

    /** Whether every variant counts the same seeds 1..N. */
    public boolean sameSeeds() {
      return variants.stream().mapToLong(VariantSelection::lastSeed).distinct().count() <= 1;
    }
  }

  public static Result select(CampaignSpec spec, Map<RunKey, RunRecord> records) {
    List<VariantSelection> out = new ArrayList<>();
    for (Variant v : spec.variants()) {
      if (spec.mode() == CampaignSpec.Mode.RUNS) {
        // every seed of 1..N counts, present or not yet (an incomplete summary shows what is there)
        long exposure = 0;
        boolean complete = true;
        for (long seed = 1; seed <= spec.runs(); seed++) {
          RunRecord r = records.get(new RunKey(seed, v));
          if (r == null) complete = false;
          else exposure += r.totalExposureNanos();
        }
        out.add(new VariantSelection(v, spec.runs(), exposure, complete));
      } else {
        Prefix p = new Prefix(v);
        p.advance(spec, records);
        out.add(p.selection());
      }
    }
    return new Result(out, out.stream().allMatch(VariantSelection::complete));
  }

  /**
   * The next runs to ask for, in key order, or an empty list when the selection is complete. For a device-hours
   * target each variant still short of it gets the seeds that, at its own mean exposure per seed so far, would
   * reach the target (plus 5%); a variant that has its target gets nothing. The first wave of a variant is a lower
   * bound on its N, since no run can give it more than {@code maxExposurePerRunNanos}. A wave holds at least
   * {@code minWave} runs while some variant is short (more seeds of the short variants, in turns), so that every
   * worker has one.
   *
   * @throws CampaignException if a variant gains no exposure at all: its target cannot be reached
   */
  public static List<RunKey> nextWave(CampaignSpec spec, Map<RunKey, RunRecord> records, long maxExposurePerRunNanos,
      int minWave) {
    Result now = select(spec, records);
    if (now.complete()) return List.of();
    List<RunKey> wave = new ArrayList<>();
    if (spec.mode() == CampaignSpec.Mode.RUNS) {
      for (long seed = 1; seed <= spec.runs(); seed++) {
        for (Variant v : spec.variants()) {
          RunKey k = new RunKey(seed, v);
          if (!records.containsKey(k)) wave.add(k);
        }
      }
      return wave;
    }
    long target = spec.targetExposureNanos();
    // where each variant that is still short stopped walking (the minWave padding goes on from there)
    Map<Variant, Long> walkedTo = new LinkedHashMap<>();
    for (VariantSelection sel : now.variants()) {
      if (sel.complete()) continue;
      Variant v = sel.variant();
      long prefix = sel.lastSeed();
      long have = sel.exposureNanos();
      // Expected exposure of a seed not run yet: the mean so far, or (before any result) the most a run can give,
      // which makes the first wave a lower bound on N_v.
      double perSeed;
      if (prefix == 0) {
        perSeed = Math.max(1, maxExposurePerRunNanos);
      } else if (have > 0) {
        perSeed = (double) have / prefix;
      } else if (prefix < GIVE_UP_AFTER_RUNS) {
        perSeed = Math.max(1.0, target / (2.0 * prefix)); // nothing yet: try twice as many seeds
      } else {
        throw new CampaignException("variant " + v + " gained no device exposure in " + prefix + " runs: no "
            + "driver stayed bound, so " + spec.deviceHours() + " device-hours cannot be reached (check the "
            + "scenario's devices and drivers)");
      }
      // Walk on from the prefix, counting runs already done at their real exposure and missing ones at the
      // expected one, until the variant would reach the target; ask for the missing seeds on the way.
      List<RunKey> mine = new ArrayList<>();
      double acc = have;
      long seed = prefix;
      while (acc < target) {
        seed++;
        RunRecord r = records.get(new RunKey(seed, v));
        if (r == null) mine.add(new RunKey(seed, v));
        acc += r != null ? r.totalExposureNanos() : perSeed;
      }
      // 5% margin once the mean is measured (it is only an estimate)
      long margin = prefix == 0 ? 0 : mine.size() / 20;
      for (long added = 0; added < margin; ) {
        seed++;
        RunKey k = new RunKey(seed, v);
        if (!records.containsKey(k)) {
          mine.add(k);
          added++;
        }
      }
      wave.addAll(mine);
      walkedTo.put(v, seed);
    }
    // enough to keep every worker busy: further seeds of the short variants, one of each in turn
    while (wave.size() < minWave && !walkedTo.isEmpty()) {
      for (Map.Entry<Variant, Long> e : walkedTo.entrySet()) {
        long seed = e.getValue();
        RunKey k;
        do {
          k = new RunKey(++seed, e.getKey());
        } while (records.containsKey(k));
        e.setValue(seed);
        wave.add(k);
      }
    }
    Collections.sort(wave);
    return wave;
  }

  /** One variant's counted prefix of seeds under a device-hours target, walked on as results arrive. */
  private static final class Prefix {
    final Variant variant;
    long lastSeed;
    long exposure;
    boolean complete;

    Prefix(Variant variant) {
      this.variant = variant;
    }

    /** Walks on while the next seed's result is there and the target is not reached; returns {@link #complete}. */
    boolean advance(CampaignSpec spec, Map<RunKey, RunRecord> records) {
      long target = spec.targetExposureNanos();
      while (!complete) {
        if (spec.mode() == CampaignSpec.Mode.RUNS ? lastSeed >= spec.runs() : exposure >= target) {
          complete = true;
          break;
        }
        RunRecord r = records.get(new RunKey(lastSeed + 1, variant));
        if (r == null) break;
        lastSeed++;
        exposure += r.totalExposureNanos();
      }
      return complete;
    }

    VariantSelection selection() {
      return new VariantSelection(variant, lastSeed, exposure, complete);
    }
  }

  /**
   * Whether the selection is complete, per variant and in all, followed as results arrive: results are only ever
   * added, so each variant's prefix of seeds present only grows, and each call continues where the last one
   * stopped (a campaign asks after every run; walking all seeds each time would cost O(N²)).
   */
  static final class Tracker {
    private final CampaignSpec spec;
    private final Map<Variant, Prefix> prefixes = new LinkedHashMap<>();

    Tracker(CampaignSpec spec) {
      this.spec = spec;
      for (Variant v : spec.variants()) prefixes.put(v, new Prefix(v));
    }

    boolean complete(Map<RunKey, RunRecord> records) {
      boolean all = true;
      for (Prefix p : prefixes.values()) all &= p.advance(spec, records);
      return all;
    }

    /** Whether this variant's selection is complete (a variant not in the campaign is: it needs nothing). */
    boolean complete(Variant variant, Map<RunKey, RunRecord> records) {
      Prefix p = prefixes.get(variant);
      return p == null || p.advance(spec, records);
    }
  }
}
