package dev.devemu.sim;

import java.util.HashMap;
import java.util.Map;

/**
 * Probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): every actor gets a random priority, the
 * highest-priority runnable actor always runs, and at {@code depth - 1} random steps the running actor drops to
 * the lowest priority. A bug of depth d is found with probability at least 1/(n k^(d-1)) per run.
 *
 * <p>The next timer competes as a pseudo-actor {@code @clock}, so that device events can land in the middle of
 * driver code.
 */
public final class PctStrategy implements SchedulingStrategy {
  static final String CLOCK = "@clock";

  private final int depth;
  private final long expectedSteps;
  private SimRandom random;
  private long[] changePoints;
  private int nextChange;
  private final Map<String, Long> priorities = new HashMap<>();

  /**
   * @param depth bug depth d (number of ordering constraints), at least 1
   * @param expectedSteps an estimate k of the number of choices in a run; change points fall in [0, k)
   */
  public PctStrategy(int depth, long expectedSteps) {
    if (depth < 1) throw new IllegalArgumentException("PCT depth must be at least 1, got " + depth);
    if (expectedSteps < 1) throw new IllegalArgumentException("PCT expected steps must be positive");
    this.depth = depth;
    this.expectedSteps = expectedSteps;
  }

  @Override
  public void start(SimRandom random) {
    this.random = random;
    priorities.clear();
    changePoints = new long[depth - 1];
    for (int i = 0; i < changePoints.length; i++) changePoints[i] = random.nextLong(expectedSteps);
    java.util.Arrays.sort(changePoints);
    nextChange = 0;
  }

  @Override
  public int choose(ChoicePoint point) {
    int n = point.runnableCount();
    if (n == 0) return FIRE_TIMER;
    int best = -2;
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
    long step = point.step();
    while (nextChange < changePoints.length && changePoints[nextChange] <= step) {
      // the change point demotes whatever runs now below every initial priority
      priorities.put(bestId, (long) (depth - 1 - nextChange));
      nextChange++;
    }
    return best;
  }

  private long priorityOf(String id) {
    Long p = priorities.get(id);
    if (p == null) {
      p = depth + (long) random.nextInt(1 << 30);
      priorities.put(id, p);
    }
    return p;
  }

  @Override
  public String name() {
    return "pct:" + depth;
  }
}
