package dev.devemu.sim;

import java.util.HashMap;
import java.util.Map;

/**
 * Probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010): every actor gets
 * a random priority, the highest-priority runnable actor always runs, and at {@code depth - 1} random decision
 * points the actor that ran last drops below every initial priority (each later drop lower than the earlier
 * ones). A bug of depth d is found with probability at least 1/(n k^(d-1)) per run, for n actors and k
 * decisions.
 *
 * <p>As in Coyote's and Shuttle's implementations, only real decisions count (more than one option), the
 * change points are distinct values in [1, k), and k is not guessed: the caller measures it from a first run
 * ({@link #decisions()} of a depth-1 run, which has no change points) and passes it in.
 *
 * <p>The next timer competes as a pseudo-actor {@code @clock}, so that device events can land in the middle of
 * driver code.
 *
 * <p>Steering faults ({@code pct:D:K+steer:F}) carries the change-point idea over to the fault plan's probabilistic
 * fault points. As the priorities are random and the change points added perturbations, each fault decision is
 * first drawn with the plan's probability (as under {@code random}), and {@code max(1, d - 1)} <em>fault steps</em>
 * are added: distinct fault decisions drawn uniformly from [0, F), F being the number of fault decisions a run makes
 * (measured, like k, from a first run in which no fault fires), which fail whatever their draw. A bug that needs
 * the i-th fault decision to fail is then found with probability about 1/F per run even when the plan's probability
 * makes that failure rare, while the plan's own faults still happen. (The first version had the steps only, every
 * other call passing: it lost where the plan's probability already found the bug; BENCHMARKS.md.) The steps and
 * the draws come from streams of their own ({@code fork("faults")}, {@code fork("fault-draws")}), so the
 * priorities and change points are those of plain PCT under the same seed and k.
 */
public final class PctStrategy implements SchedulingStrategy {
  static final String CLOCK = "@clock";

  private final int depth;
  private final long expectedDecisions;
  private SimRandom random;
  private long[] changePoints;
  private final Map<String, Long> priorities = new HashMap<>();
  private long nextLow;
  private long decisions;
  private String lastChosen;
  /** F: fault decisions a run makes, or -1 when this strategy does not steer faults. */
  private final long expectedFaultDecisions;
  private long[] faultSteps = new long[0];
  private SimRandom faultDraws;
  private long faultDecisions;

  /**
   * @param depth bug depth d (d - 1 priority change points), at least 1
   * @param expectedDecisions k, the number of decisions a run makes (measured); change points fall in [1, k)
   */
  public PctStrategy(int depth, long expectedDecisions) {
    this(depth, expectedDecisions, -1);
  }

  /**
   * A PCT that also steers the run's fault points.
   *
   * @param expectedFaultDecisions F, the number of fault decisions a run makes (measured); 0 makes every call pass
   *     (the run that measures F), -1 does not steer faults
   */
  public static PctStrategy steeringFaults(int depth, long expectedDecisions, long expectedFaultDecisions) {
    if (expectedFaultDecisions < 0) throw new IllegalArgumentException("PCT's F must not be negative, got " + expectedFaultDecisions);
    return new PctStrategy(depth, expectedDecisions, expectedFaultDecisions);
  }

  private PctStrategy(int depth, long expectedDecisions, long expectedFaultDecisions) {
    this.expectedFaultDecisions = expectedFaultDecisions;
    if (depth < 1) throw new IllegalArgumentException("PCT depth must be at least 1, got " + depth);
    if (expectedDecisions < 1) throw new IllegalArgumentException("PCT k must be positive, got " + expectedDecisions);
    this.depth = depth;
    this.expectedDecisions = expectedDecisions;
  }

  @Override
  public void start(SimRandom random) {
    this.random = random;
    priorities.clear();
    nextLow = depth - 1;
    decisions = 0;
    lastChosen = null;
    // d - 1 distinct change points in [1, k): step 0 needs none, the initial priorities already decide it
    int points = (int) Math.min(depth - 1L, Math.max(0, expectedDecisions - 1));
    changePoints = new long[points];
    for (int i = 0; i < points; i++) {
      long p;
      do {
        p = 1 + random.nextLong(expectedDecisions - 1);
      } while (contains(changePoints, i, p));
      changePoints[i] = p;
    }
    java.util.Arrays.sort(changePoints);
    faultDecisions = 0;
    if (expectedFaultDecisions > 0) {
      SimRandom faults = random.fork("faults");
      faultDraws = random.fork("fault-draws");
      int steps = (int) Math.min(Math.max(1, depth - 1), expectedFaultDecisions);
      faultSteps = new long[steps];
      for (int i = 0; i < steps; i++) {
        long p;
        do {
          p = faults.nextLong(expectedFaultDecisions);
        } while (contains(faultSteps, i, p));
        faultSteps[i] = p;
      }
      java.util.Arrays.sort(faultSteps);
    } else {
      faultSteps = new long[0];
      faultDraws = null;
    }
  }

  @Override
  public boolean steersFaults() {
    return expectedFaultDecisions >= 0;
  }

  @Override
  public boolean chooseFault(FaultQuery query) {
    if (!steersFaults()) return SchedulingStrategy.super.chooseFault(query);
    if (faultDraws == null) {
      faultDecisions++;
      return false; // F = 0: the run that measures F, in which every call passes
    }
    // a draw for every decision, fault step or not, so that each decision's draw is the same whatever the steps
    boolean drawn = faultDraws.nextBoolean(query.probability());
    boolean step = java.util.Arrays.binarySearch(faultSteps, faultDecisions++) >= 0;
    return step || drawn;
  }

  /** Fault decisions made so far in this run (steering only): what F is measured from. */
  public long faultDecisions() {
    return faultDecisions;
  }

  private static boolean contains(long[] a, int n, long v) {
    for (int i = 0; i < n; i++) {
      if (a[i] == v) return true;
    }
    return false;
  }

  @Override
  public int choose(ChoicePoint point) {
    int n = point.runnableCount();
    if (n == 0) {
      lastChosen = CLOCK;
      return FIRE_TIMER;
    }
    boolean decision = n > 1 || point.timerEligible();
    if (decision) {
      if (java.util.Arrays.binarySearch(changePoints, decisions) >= 0 && lastChosen != null) {
        // the actor that ran last is demoted below every initial priority, and below earlier demotions
        priorities.put(lastChosen, nextLow--);
      }
      decisions++;
    }
    int best = 0;
    long bestPriority = Long.MIN_VALUE;
    String bestId = null;
    for (int i = 0; i < n; i++) {
      String id = point.actorId(i);
      long p = priorityOf(id);
      if (p > bestPriority || (p == bestPriority && id.compareTo(bestId) < 0)) {
        best = i;
        bestPriority = p;
        bestId = id;
      }
    }
    if (point.timerEligible() && priorityOf(CLOCK) > bestPriority) {
      best = FIRE_TIMER;
      bestId = CLOCK;
    }
    lastChosen = bestId;
    return best;
  }

  private long priorityOf(String id) {
    Long p = priorities.get(id);
    if (p == null) {
      // a new actor gets a random place among the initial priorities, all above the demoted ones
      p = depth + (long) random.nextInt(1 << 30);
      priorities.put(id, p);
    }
    return p;
  }

  /** Decisions made so far in this run: choice points with more than one option. */
  public long decisions() {
    return decisions;
  }

  public int depth() {
    return depth;
  }

  public long expectedDecisions() {
    return expectedDecisions;
  }

  @Override
  public String name() {
    return "pct:" + depth + ":" + expectedDecisions + (steersFaults() ? "+steer:" + expectedFaultDecisions : "");
  }
}
