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

  /**
   * Like {@link #record(long, long, String, String)}, also saying which earlier choice sent the message.
   *
   * @param senderStep the step of the delivery (or timer) that sent it, or -1 if unknown (boot, a system
   *     message, or a sink that is not {@link #detailed()})
   */
  default void record(long step, long timeNanos, String actorId, String message, long senderStep) {
    record(step, timeNanos, actorId, message);
  }

  /** Notes what a delivery did, for people (a CPU step: which task ran which kernel call). Not hashed. */
  default void note(long step, String text) {}

  /** True if this sink wants senders and notes (they cost a little per message, so only on request). */
  default boolean detailed() {
    return false;
  }

  /** Records nothing; campaigns replay by seed and do not need a trace. */
  TraceSink NONE = (step, time, actor, message) -> {};
}
