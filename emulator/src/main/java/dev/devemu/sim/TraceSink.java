package dev.devemu.sim;

/** Receives every choice a lane makes: which actor got which message at what virtual time. */
public interface TraceSink {
  /**
   * @param step number of the choice within the run
   * @param timeNanos virtual time of the choice
   * @param actorId the actor that ran, or {@code @clock} for a timer
   * @param message what it processed (message type and deterministic detail), or the timer label
   */
  void record(long step, long timeNanos, String actorId, String message);

  /** Records nothing; campaigns replay by seed and do not need a trace. */
  TraceSink NONE = (step, time, actor, message) -> {};
}
