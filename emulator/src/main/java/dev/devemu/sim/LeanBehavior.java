package dev.devemu.sim;

import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ExtensibleBehavior;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The behaviour of actors that exist by the thousand — a device, a driver instance: one method receives every
 * message, signals are unhandled. It is spawned as it is, not through {@code Behaviors.setup}: Pekko's Props keep
 * the behaviour a child was spawned with for the child's whole life, and for a set-up behaviour that is a deferred
 * behaviour, its factory and the closure that captured the constructor's arguments. An {@code AbstractBehavior}
 * would also keep a {@code Receive} and a method reference. Together about 100 bytes per actor, for the same
 * deliveries in the same order: Pekko calls {@link #receive} exactly as it calls an AbstractBehavior's.
 *
 * <p>The constructor runs where the actor is spawned (the parent, on the same lane), not when the actor starts:
 * it must not send messages or draw random numbers (none of these actors did). The actor's own reference comes
 * with its first message.
 */
public abstract class LeanBehavior<T> extends ExtensibleBehavior<T> {
  private ActorRef<T> self;

  /** Handles one message: {@code this} to go on, {@code Behaviors.stopped()}, {@code Behaviors.unhandled()}. */
  protected abstract Behavior<T> onMessage(T message);

  /** This actor's reference, from its first message on. */
  protected final ActorRef<T> self() {
    return Objects.requireNonNull(self, "an actor's reference is known from its first message on");
  }

  @Override
  public final Behavior<T> receive(TypedActorContext<T> ctx, T message) {
    if (self == null) self = ctx.asJava().getSelf();
    return onMessage(message);
  }

  @Override
  public final Behavior<T> receiveSignal(TypedActorContext<T> ctx, Signal signal) {
    return Behaviors.unhandled();
  }
}
