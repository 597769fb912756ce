package dev.devemu.sim;

/**
 * Uniform random choice among everything that may happen next: each runnable actor, or the next timer. When it
 * steers faults ({@code random+steer}), each fault decision fails with the plan's probability, drawn from a stream
 * of its own ({@code fork("faults")} of the strategy's), so the schedule's draws are those of plain {@code random}.
 */
public final class RandomWalkStrategy implements SchedulingStrategy {
  private final boolean steer;
  private SimRandom random;
  private SimRandom faultRandom;

  public RandomWalkStrategy() {
    this(false);
  }

  /** @param steer decide the run's fault points too (recorded in the trace) */
  public RandomWalkStrategy(boolean steer) {
    this.steer = steer;
  }

  @Override
  public void start(SimRandom random) {
    this.random = random;
    this.faultRandom = steer ? random.fork("faults") : null;
  }

  @Override
  public boolean steersFaults() {
    return steer;
  }

  @Override
  public boolean chooseFault(FaultQuery query) {
    if (!steer) return SchedulingStrategy.super.chooseFault(query);
    return faultRandom.nextBoolean(query.probability());
  }

  @Override
  public int choose(ChoicePoint point) {
    int n = point.runnableCount();
    if (n == 0) return FIRE_TIMER;
    int options = point.timerEligible() ? n + 1 : n;
    int pick = options == 1 ? 0 : random.nextInt(options);
    return pick == n ? FIRE_TIMER : pick;
  }

  @Override
  public String name() {
    return steer ? "random+steer" : "random";
  }
}
