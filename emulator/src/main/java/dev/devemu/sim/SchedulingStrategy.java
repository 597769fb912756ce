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

  /**
   * True if this strategy also decides the run's probabilistic fault points ({@code +steer}, as Coyote's scheduler
   * controls {@code RandomBoolean}): each decision is then asked of {@link #chooseFault} and recorded in the trace
   * as a choice. False (the default): fault decisions come from the run's fault stream, as they always did.
   */
  default boolean steersFaults() {
    return false;
  }

  /**
   * Decides one fault query: true makes the call at {@code query.point()} fail. Called only when
   * {@link #steersFaults()}, on the lane thread, in the middle of the delivery that made the call.
   */
  default boolean chooseFault(FaultQuery query) {
    throw new UnsupportedOperationException(name() + " does not decide faults");
  }

  /**
   * One fault decision: a call at a fault point whose plan gives it a probability in (0, 1).
   *
   * @param index number of the fault decision within the run, from 0
   * @param point the fault point ({@code kmalloc}, {@code usb_stall}, …)
   * @param where who made the call (a function, a device)
   * @param probability the fault plan's probability for the point: the default distribution
   */
  record FaultQuery(long index, String point, String where, double probability) {}

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
