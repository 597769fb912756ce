package dev.devemu.campaign;

import dev.devemu.kernel.ErrorPaths;
import dev.devemu.kernel.Variant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Results in, summary out. Any backend feeds it one {@link RunRecord} per key, in any order (a key seen twice
 * counts once); {@link #summary()} picks the runs the spec says ({@link SeedSelection}: seeds 1..N_v of each
 * variant v) and computes, per driver and variant, oops counts, rates per 1000 device-hours with exact 95%
 * intervals, the breakdown by detector, the safe-vs-raw reduction, and the distinct bug signatures with one
 * replayable example each.
 *
 * <p>A cluster backend writes the same {@code summary.json} as a single node by feeding the same records:
 * <pre>
 * CampaignAggregator agg = new CampaignAggregator(spec);
 * for each result: agg.add(record);
 * agg.summary().write(dir.resolve("summary.json"));
 * </pre>
 */
public final class CampaignAggregator {
  /** At most this many points per variant in the timeline plot. */
  static final int TIMELINE_POINTS = 200;
  static final double PER_HOURS = 1000.0;

  private final CampaignSpec spec;
  private final Map<RunKey, RunRecord> records = new TreeMap<>();
  private final SeedSelection.Tracker tracker;

  public CampaignAggregator(CampaignSpec spec) {
    this.spec = spec;
    this.tracker = new SeedSelection.Tracker(spec);
  }

  public CampaignSpec spec() {
    return spec;
  }

  /** Adds a result; returns false (and ignores it) if its key was already added. */
  public synchronized boolean add(RunRecord r) {
    return records.putIfAbsent(r.key(), r) == null;
  }

  public synchronized Map<RunKey, RunRecord> records() {
    return new TreeMap<>(records);
  }

  public synchronized SeedSelection.Result selection() {
    return SeedSelection.select(spec, records);
  }

  /** Whether every run of the selected seeds is in (cheap: follows the results as they arrive). */
  public synchronized boolean complete() {
    return tracker.complete(records);
  }

  /**
   * Whether one variant's selection is complete: no further run of it can count (cheap, as {@link #complete()}).
   * A variant the campaign does not run is complete.
   */
  public synchronized boolean complete(Variant variant) {
    return tracker.complete(variant, records);
  }

  /** The summary over the seeds selected so far (complete or not: {@code selection.complete} says). */
  public synchronized CampaignSummary summary() {
    SeedSelection.Result sel = SeedSelection.select(spec, records);
    List<RunRecord> counted = new ArrayList<>();
    for (RunRecord r : records.values()) {
      if (sel.counts(r.key())) counted.add(r);
    }

    Map<String, Long> outcomes = new TreeMap<>();
    Map<Variant, Acc> byVariant = new LinkedHashMap<>();
    for (Variant v : spec.variants()) byVariant.put(v, new Acc("*", v));
    Map<String, Acc> byDriver = new TreeMap<>(); // "driver/variant"
    Map<String, SigAcc> sigs = new TreeMap<>();

    for (RunRecord r : counted) { // in key order: seed, then variant
      outcomes.merge(r.outcome(), 1L, Long::sum);
      Acc va = byVariant.get(r.variant());
      va.runs++;
      va.exposure += r.totalExposureNanos();
      for (Map.Entry<String, Long> e : r.exposureNanos().entrySet()) {
        String driver = driverOf(e.getKey());
        Acc da = byDriver.computeIfAbsent(driver + "/" + r.variant(), k -> new Acc(driver, r.variant()));
        da.runs++;
        da.exposure += e.getValue();
      }
      for (RunRecord.OopsRecord o : r.oopses()) {
        va.oops(o.detector());
        if (!"kernel".equals(o.driver())) {
          // a probe that oopsed before binding gave its driver no exposure, but the oops is still the driver's
          byDriver.computeIfAbsent(o.driver() + "/" + r.variant(), k -> new Acc(o.driver(), r.variant())).oops(o.detector());
        }
        SigAcc s = sigs.computeIfAbsent(o.signature(), k -> new SigAcc(o, r));
        s.count++;
        s.byVariant.merge(r.variant(), 1L, Long::sum);
      }
    }

    List<CampaignSummary.Group> variants = new ArrayList<>();
    for (Acc a : byVariant.values()) variants.add(a.group());
    List<CampaignSummary.Group> drivers = new ArrayList<>();
    // drivers by name, variants in the spec's order
    Map<String, Map<Variant, CampaignSummary.Group>> perDriver = new TreeMap<>();
    for (Acc a : byDriver.values()) perDriver.computeIfAbsent(a.driver, k -> new LinkedHashMap<>()).put(a.variant, a.group());
    for (Map<Variant, CampaignSummary.Group> m : perDriver.values()) {
      for (Variant v : spec.variants()) {
        if (m.containsKey(v)) drivers.add(m.get(v));
      }
    }

    List<CampaignSummary.Comparison> comparisons = new ArrayList<>();
    if (spec.variants().contains(Variant.RAW) && spec.variants().contains(Variant.SAFE)) {
      for (Map.Entry<String, Map<Variant, CampaignSummary.Group>> e : perDriver.entrySet()) {
        CampaignSummary.Group raw = e.getValue().get(Variant.RAW);
        CampaignSummary.Group safe = e.getValue().get(Variant.SAFE);
        if (raw != null && safe != null) comparisons.add(compare(e.getKey(), raw, safe));
      }
      comparisons.add(compare("*", byVariant.get(Variant.RAW).group(), byVariant.get(Variant.SAFE).group()));
    }

    List<CampaignSummary.Signature> signatures = new ArrayList<>();
    for (SigAcc s : sigs.values()) {
      signatures.add(new CampaignSummary.Signature(s.signature, s.detector, s.title, s.driver, s.count,
          new TreeMap<>(s.byVariant), s.seed, s.variant, replay(s.seed, s.variant)));
    }
    signatures.sort(Comparator.comparingLong(CampaignSummary.Signature::count).reversed()
        .thenComparing(CampaignSummary.Signature::signature));

    return new CampaignSummary(spec, sel, counted.size(), outcomes, variants, drivers, comparisons, signatures,
        timeline(counted, sel), spec.coverage() ? coverage(counted) : null);
  }

  /** The command that replays one run of this campaign. */
  public String replay(long seed, Variant variant) {
    return "./devemu run " + spec.scenarioFile() + " --seed " + seed + (variant == null ? "" : " --variant " + variant);
  }

  private static String driverOf(String exposureKey) {
    int slash = exposureKey.indexOf('/');
    return slash < 0 ? exposureKey : exposureKey.substring(0, slash);
  }

  private static CampaignSummary.Comparison compare(String driver, CampaignSummary.Group raw, CampaignSummary.Group safe) {
    double eRaw = raw.exposureNanos();
    double eSafe = safe.exposureNanos();
    return new CampaignSummary.Comparison(driver, raw, safe,
        PoissonStats.rateRatio(safe.oopses(), eSafe, raw.oopses(), eRaw, PoissonStats.CONFIDENCE),
        PoissonStats.reduction(safe.oopses(), eSafe, raw.oopses(), eRaw, PoissonStats.CONFIDENCE));
  }

  /** Error-path coverage over the counted runs, in key order (so each site's example is its first seed). */
  private CampaignSummary.Coverage coverage(List<RunRecord> counted) {
    long runs = 0;
    Map<ErrorPaths.Site, long[]> sites = new TreeMap<>(); // calls, errors
    Map<ErrorPaths.Site, RunRecord> example = new TreeMap<>();
    for (RunRecord r : counted) {
      if (r.errorPaths() == null) continue; // recorded before the campaign turned coverage on
      runs++;
      r.errorPaths().forEach((site, c) -> {
        long[] acc = sites.computeIfAbsent(site, k -> new long[2]);
        acc[0] += c.calls();
        acc[1] += c.errors();
        if (c.errors() > 0) example.putIfAbsent(site, r);
      });
    }
    List<CampaignSummary.SiteRow> rows = new ArrayList<>();
    Map<String, long[]> shares = new TreeMap<>(); // "driver\0variant" -> sites, ran
    sites.forEach((site, acc) -> {
      RunRecord ex = example.get(site);
      rows.add(new CampaignSummary.SiteRow(site.driver(), site.variant(), site.source(), site.call(), acc[0], acc[1],
          ex == null ? 0 : ex.seed(), ex == null ? null : ex.variant(), ex == null ? null : replay(ex.seed(), ex.variant())));
      long[] s = shares.computeIfAbsent(site.driver() + "\0" + site.variant(), k -> new long[2]);
      s[0]++;
      if (acc[1] > 0) s[1]++;
    });
    List<CampaignSummary.Share> out = new ArrayList<>();
    shares.forEach((k, s) -> {
      String[] dv = k.split("\0", 2);
      out.add(new CampaignSummary.Share(dv[0], dv[1], s[0], s[1]));
    });
    return new CampaignSummary.Coverage(runs, rows, out);
  }

  private List<CampaignSummary.Series> timeline(List<RunRecord> counted, SeedSelection.Result sel) {
    List<CampaignSummary.Series> out = new ArrayList<>();
    for (Variant v : spec.variants()) {
      long lastSeed = sel.of(v).lastSeed();
      long step = Math.max(1, (lastSeed + TIMELINE_POINTS - 1) / TIMELINE_POINTS);
      List<double[]> points = new ArrayList<>();
      points.add(new double[] {0, 0});
      long exposure = 0;
      long oopses = 0;
      for (RunRecord r : counted) {
        if (!r.variant().equals(v)) continue;
        exposure += r.totalExposureNanos();
        oopses += r.oopses().size();
        if (r.seed() % step == 0 || r.seed() == lastSeed) {
          points.add(new double[] {exposure / (double) CampaignSpec.NANOS_PER_HOUR, oopses});
        }
      }
      out.add(new CampaignSummary.Series(v, points));
    }
    return out;
  }

  private static final class Acc {
    final String driver;
    final Variant variant;
    long runs;
    long exposure;
    long oopses;
    final Map<String, Long> detectors = new TreeMap<>();

    Acc(String driver, Variant variant) {
      this.driver = driver;
      this.variant = variant;
    }

    void oops(String detector) {
      oopses++;
      detectors.merge(detector, 1L, Long::sum);
    }

    CampaignSummary.Group group() {
      double hours = exposure / (double) CampaignSpec.NANOS_PER_HOUR;
      return new CampaignSummary.Group(driver, variant, runs, exposure, oopses,
          PoissonStats.rate(oopses, hours, PER_HOURS, PoissonStats.CONFIDENCE), new TreeMap<>(detectors));
    }
  }

  private static final class SigAcc {
    final String signature;
    final String detector;
    final String title;
    final String driver;
    final long seed;
    final Variant variant;
    long count;
    final Map<Variant, Long> byVariant = new TreeMap<>();

    SigAcc(RunRecord.OopsRecord o, RunRecord first) {
      this.signature = o.signature();
      this.detector = o.detector();
      this.title = o.title();
      this.driver = o.driver();
      this.seed = first.seed();
      this.variant = first.variant();
    }
  }
}
