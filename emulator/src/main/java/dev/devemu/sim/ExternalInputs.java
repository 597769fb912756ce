package dev.devemu.sim;

/**
 * Inputs from outside a run (a live session's network commands), handed to the lane when it is idle. A live
 * source waits on the wall clock and the network; a replay source hands back a recorded list. Either way the lane
 * delivers an input only when nothing is runnable and before the next timer, so the same list at the same virtual
 * times replays the same run.
 */
public interface ExternalInputs {
  /** An input due at virtual time {@code at}; {@code deliver} runs on the lane thread and may tell actors. */
  record Input(long at, Runnable deliver) {}

  /** Returned by {@link #next} when the session is over: the lane's loop ends. */
  Input END = new Input(Long.MAX_VALUE, () -> {});

  /**
   * Called on the lane thread when nothing is runnable.
   *
   * @param now the virtual time
   * @param nextTimerDue when the next timer is due, {@code Long.MAX_VALUE} if there is none
   * @return an input with {@code now <= at < nextTimerDue} (its time is clamped up to now), null to let the next
   *     timer fire (the lane asks again if there is none), or {@link #END}
   */
  Input next(long now, long nextTimerDue);
}
