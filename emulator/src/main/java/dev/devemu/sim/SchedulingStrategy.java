package dev.devemu.sim;

/**
 * Every nondeterministic choice of a run goes through here: which runnable actor processes its next message,
 * or whether the clock moves on to the next timer first. Replaying the same choices replays the run.
 */
public interface SchedulingStrategy {
  /** Returned by {@link #choose} to fire the next timer instead of running an actor. */
  int FIRE_TIMER = -1;

  /**
   * @return an index in {@code [0, point.runnableCount())}, or {@link #FIRE_TIMER} when
   *     {@link ChoicePoint#timerEligible()} is true
   */
  int choose(ChoicePoint point);

  /** Called once before the first choice of a run. */
  default void start(SimRandom random) {}

  /** A short name for reports and traces, such as {@code random} or {@code pct:3}. */
  String name();

  /** What the strategy sees at one choice point. */
  interface ChoicePoint {
    /** Number of the choice within the run, from 0. */
    long step();

    int runnableCount();

    /** Stable id of the i-th runnable actor (its path below the testbed), e.g. {@code cpu1}. */
    String actorId(int i);

    /** True if firing the next timer is a legal choice now. */
    boolean timerEligible();

    /** True if nothing is runnable and the only move is to fire the next timer. */
    default boolean onlyTimer() {
      return runnableCount() == 0;
    }
  }
}
