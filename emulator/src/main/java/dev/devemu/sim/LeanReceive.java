package dev.devemu.sim;

import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * A {@link Receive} that hands every message to one method. Pekko's receive builder keeps a case object per
 * message type per actor instance — about 250 bytes for a device actor — and walks them for every message; the
 * actors that exist by the thousand (devices, driver instances) and the CPUs (the hottest) dispatch with a
 * plain {@code instanceof} chain instead.
 */
public final class LeanReceive<T> extends Receive<T> {
  private final Function<T, Behavior<T>> onMessage;

  private LeanReceive(Function<T, Behavior<T>> onMessage) {
    this.onMessage = onMessage;
  }

  public static <T> Receive<T> of(Function<T, Behavior<T>> onMessage) {
    return new LeanReceive<>(onMessage);
  }

  @Override
  public Behavior<T> receiveMessage(T message) {
    return onMessage.apply(message);
  }

  @Override
  public Behavior<T> receiveSignal(Signal signal) {
    return Behaviors.unhandled();
  }
}
