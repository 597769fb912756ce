package dev.devemu.campaign;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * Known values: Garwood intervals as tabulated (Ulm 1990) and computed independently with SciPy
 * ({@code chi2.ppf}, {@code beta.ppf}); the rate-ratio intervals match R's {@code poisson.test(c(k1, k2), c(e1, e2))}.
 */
class PoissonStatsTest {
  static final double EPS = 1e-6;

  static void near(double expected, Double actual) {
    assertNotNull(actual);
    assertEquals(expected, actual, EPS * Math.max(1, Math.abs(expected)));
  }

  @Test
  void garwoodIntervalsForACount() {
    double[][] known = {
        {0, 0, 3.688879454}, {1, 0.02531780798, 5.571643391}, {5, 1.62348639, 11.66833208},
        {10, 4.795388696, 18.39035604}, {100, 81.36399125, 121.6267938}};
    for (double[] k : known) {
      PoissonStats.Interval i = PoissonStats.countInterval((long) k[0], 0.95);
      near(k[1], i.low());
      near(k[2], i.high());
    }
  }

  @Test
  void aRateScalesTheCountIntervalByTheExposure() {
    PoissonStats.Estimate e = PoissonStats.rate(10, 2000.0, 1000.0, 0.95);
    near(5.0, e.value());
    near(4.795388696 / 2, e.interval().low());
    near(18.39035604 / 2, e.interval().high());
    PoissonStats.Estimate zero = PoissonStats.rate(0, 500.0, 1000.0, 0.95);
    near(0.0, zero.value());
    near(0.0, zero.interval().low());
    near(3.688879454 * 2, zero.interval().high());
    PoissonStats.Estimate none = PoissonStats.rate(0, 0, 1000.0, 0.95);
    assertNull(none.value(), "no exposure: no rate");
  }

  @Test
  void clopperPearson() {
    PoissonStats.Interval half = PoissonStats.clopperPearson(5, 10, 0.95);
    near(0.1870860284, half.low());
    near(0.8129139716, half.high());
    PoissonStats.Interval none = PoissonStats.clopperPearson(0, 10, 0.95);
    near(0, none.low());
    near(0.3084971078, none.high());
  }

  @Test
  void rateRatioAndReduction() {
    PoissonStats.Estimate r = PoissonStats.rateRatio(7, 1.0, 10, 1.0, 0.95);
    near(0.7, r.value());
    near(0.22614678834315552, r.interval().low());
    near(2.0372320246744184, r.interval().high());

    PoissonStats.Estimate unequal = PoissonStats.rateRatio(20, 500.0, 50, 400.0, 0.95);
    near(0.32, unequal.value());
    near(0.18044695684673062, unequal.interval().low());
    near(0.5472953515105313, unequal.interval().high());
    PoissonStats.Estimate red = PoissonStats.reduction(20, 500.0, 50, 400.0, 0.95);
    near(0.68, red.value());
    near(1 - 0.5472953515105313, red.interval().low());
    near(1 - 0.18044695684673062, red.interval().high());
  }

  @Test
  void zeroCountsAreHandledHonestly() {
    // safe never oopsed: reduction 100%, and the data still bound it from below
    PoissonStats.Estimate noSafe = PoissonStats.reduction(0, 300.0, 12, 250.0, 0.95);
    near(1.0, noSafe.value());
    near(1 - 0.2999115144064201, noSafe.interval().low());
    near(1.0, noSafe.interval().high());
    // raw never oopsed: the ratio has no upper bound, so the reduction no lower bound and no value
    PoissonStats.Estimate noRaw = PoissonStats.reduction(3, 300.0, 0, 250.0, 0.95);
    assertNull(noRaw.value());
    assertNull(noRaw.interval().low());
    assertNotNull(noRaw.interval().high());
    assertTrue(noRaw.interval().high() < 1);
    // neither: nothing to say
    PoissonStats.Estimate nothing = PoissonStats.reduction(0, 300.0, 0, 250.0, 0.95);
    assertNull(nothing.value());
    assertNull(nothing.interval().low());
    assertNull(nothing.interval().high());
  }
}
