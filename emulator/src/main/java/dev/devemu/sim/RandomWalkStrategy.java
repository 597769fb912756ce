package dev.devemu.sim;

/** Uniform random choice among everything that may happen next: each runnable actor, or the next timer. */
public final class RandomWalkStrategy implements SchedulingStrategy {
  private SimRandom random;

  @Override
  public void start(SimRandom random) {
    this.random = random;
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
    return "random";
  }
}
