package dev.devemu.campaign;

import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;

/**
 * Exact confidence intervals for oops counts, treated as Poisson counts over an exposure (device-hours).
 *
 * <ul>
 *   <li>A count k: Garwood's exact interval, {@code [chi2(a/2; 2k)/2, chi2(1-a/2; 2k+2)/2]}, with the lower bound
 *       0 when k = 0 (Garwood 1936; Ulm 1990).</li>
 *   <li>The ratio of two rates: conditional on the total n = k1 + k2, k1 is binomial with
 *       {@code p = R·e1 / (R·e1 + e2)}; the Clopper-Pearson interval for p maps to an exact interval for R
 *       (the method of R's {@code poisson.test} for two samples).</li>
 * </ul>
 *
 * <p>Zero counts are handled honestly: a rate with k = 0 has only an upper bound; a ratio whose denominator count
 * is 0 has no upper bound ({@code null}); with no events at all nothing can be said ({@code null} throughout).
 * Quantiles come from Apache Commons Math, whose FastMath is pure Java: the same inputs give the same bits on any
 * JVM, which keeps {@code summary.json} byte-identical across machines.
 */
public final class PoissonStats {
  /** Two-sided 95%. */
  public static final double CONFIDENCE = 0.95;
  private static final double ACCURACY = 1e-12;

  private PoissonStats() {}

  /** An interval; a null bound means "unbounded" on that side (or, for both, "nothing can be said"). */
  public record Interval(Double low, Double high) {
    public Interval scaled(double factor) {
      return new Interval(low == null ? null : low * factor, high == null ? null : high * factor);
    }
  }

  /** Garwood's exact interval for the mean of a Poisson count {@code k}. */
  public static Interval countInterval(long k, double confidence) {
    if (k < 0) throw new IllegalArgumentException("negative count " + k);
    double alpha = 1 - confidence;
    double low = k == 0 ? 0.0 : chiSquaredQuantile(alpha / 2, 2.0 * k) / 2;
    double high = chiSquaredQuantile(1 - alpha / 2, 2.0 * k + 2) / 2;
    return new Interval(low, high);
  }

  /**
   * A rate per {@code per} units of exposure with its exact interval, e.g. oopses per 1000 device-hours.
   *
   * @return value and interval; all null if the exposure is zero (no rate can be measured)
   */
  public static Estimate rate(long k, double exposure, double per, double confidence) {
    if (exposure <= 0) return new Estimate(null, new Interval(null, null));
    double scale = per / exposure;
    return new Estimate(k * scale, countInterval(k, confidence).scaled(scale));
  }

  /** A point value with its interval; a null value means it cannot be estimated from the data. */
  public record Estimate(Double value, Interval interval) {}

  /** The Clopper-Pearson exact interval for a binomial proportion: {@code x} successes in {@code n} trials. */
  public static Interval clopperPearson(long x, long n, double confidence) {
    if (n <= 0 || x < 0 || x > n) throw new IllegalArgumentException("need 0 <= x <= n, n > 0: x=" + x + " n=" + n);
    double alpha = 1 - confidence;
    double low = x == 0 ? 0.0 : betaQuantile(alpha / 2, x, n - x + 1);
    double high = x == n ? 1.0 : betaQuantile(1 - alpha / 2, x + 1, n - x);
    return new Interval(low, high);
  }

  /**
   * The ratio of two Poisson rates {@code (k1/e1) / (k2/e2)} with its exact conditional interval.
   *
   * @return the ratio (null if k2 = 0) and its interval: low is 0 when k1 = 0; high is null (unbounded) when
   *     k2 = 0; all null when k1 + k2 = 0
   */
  public static Estimate rateRatio(long k1, double e1, long k2, double e2, double confidence) {
    if (e1 <= 0 || e2 <= 0) return new Estimate(null, new Interval(null, null));
    long n = k1 + k2;
    if (n == 0) return new Estimate(null, new Interval(null, null));
    Interval p = clopperPearson(k1, n, confidence);
    double exposureRatio = e2 / e1;
    Double low = p.low() == 0.0 ? 0.0 : p.low() / (1 - p.low()) * exposureRatio;
    Double high = p.high() >= 1.0 ? null : p.high() / (1 - p.high()) * exposureRatio;
    Double value = k2 == 0 ? null : (k1 / e1) / (k2 / e2);
    return new Estimate(value, new Interval(low, high));
  }

  /**
   * The relative reduction {@code 1 - rate1/rate2} (rate1 = safe, rate2 = raw) with the interval that follows
   * from the rate ratio's: {@code [1 - R_high, 1 - R_low]}. An unbounded ratio gives an unbounded (null) lower
   * bound; no raw oopses gives no point value.
   */
  public static Estimate reduction(long kSafe, double eSafe, long kRaw, double eRaw, double confidence) {
    Estimate ratio = rateRatio(kSafe, eSafe, kRaw, eRaw, confidence);
    Interval r = ratio.interval();
    Double value = ratio.value() == null ? null : 1 - ratio.value();
    Double low = r.high() == null ? null : 1 - r.high();
    Double high = r.low() == null ? null : 1 - r.low();
    return new Estimate(value, new Interval(low, high));
  }

  static double chiSquaredQuantile(double p, double degreesOfFreedom) {
    return new ChiSquaredDistribution(null, degreesOfFreedom, ACCURACY).inverseCumulativeProbability(p);
  }

  static double betaQuantile(double p, double a, double b) {
    return new BetaDistribution(null, a, b, ACCURACY).inverseCumulativeProbability(p);
  }
}
