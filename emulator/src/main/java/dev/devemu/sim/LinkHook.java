package dev.devemu.sim;

/**
 * The seam between lanes that run the time domains of one testbed ({@code sim.domain}). When an actor of one
 * domain sends a message (or a system message, or a spawn's start-up) to an actor of another, the lane
 * dispatcher does not put it into the receiver's mailbox: it hands it to the link between the two domains, which
 * delivers it on the receiver's lane, at the sender's virtual time plus the link's latency.
 */
public interface LinkHook {
  /** What {@code what} is when the crossing starts an actor spawned from another domain. */
  String START = "<start>";

  /**
   * @param from the domain lane sending (its window runs on the calling thread)
   * @param to the lane of the receiving actor
   * @param deliver puts the message into the receiver's mailbox; must run on {@code to}'s lane thread
   * @param what the message (an ordinary message, a Pekko system message, or {@link #START})
   * @param receiver the actor it is for (a link that carries crossings as bytes names it by path)
   */
  void cross(SimLane from, SimLane to, Runnable deliver, Object what, org.apache.pekko.actor.ActorRef receiver);
}
