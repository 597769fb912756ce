package dev.devemu.sim.domain;

import java.util.List;
import java.util.Set;

/**
 * Domains of a run that another node hosts (docs/domains.md, "Nodes"): {@link DomainRun} on the guest's node
 * drives the rounds and talks to each such node once per round, through this. The node builds the same testbed
 * (actors at the same paths below the root), runs only its domains' windows, and answers with their next events,
 * the crossings they sent (LinkFrames, link.proto) and their deliveries for the trace.
 */
public interface RemoteDomains {
  /** The names of the domains it hosts. */
  Set<String> hosted();

  /**
   * Builds the node's part of the testbed.
   *
   * @return the next event of every domain by plan index (the guest 0); {@code Long.MAX_VALUE} for those it does
   *     not host
   */
  long[] start();

  /** Starts round {@code round}: deliver {@code frames}, then run each hosted domain up to its horizon. */
  void send(long round, long[] horizons, List<byte[]> frames);

  /**
   * The answer to round {@code round}.
   *
   * @throws DomainNodeLost if the node did not answer in time or answered with an error
   */
  RoundResult receive(long round);

  /** Ends the node's part; returns {choices, virtual nanoseconds, crossings sent} of its domains. */
  long[] end();

  /** A round's outcome on one node. */
  record RoundResult(long[] next, List<byte[]> frames, List<TraceEntry> trace) {}

  /** A delivery of a hosted domain, as its window buffer held it (steps are the domain's own). */
  record TraceEntry(int domain, long step, long timeNanos, String actor, String message, long sender, String note) {}

  /**
   * A node stopped answering (or failed) at round {@code round}. Today the run ends with this error; the
   * surprise-removal semantics of a lost device node (issue 13 item 5) plug in where DomainRun catches it.
   */
  final class DomainNodeLost extends RuntimeException {
    private final long round;
    private final Set<String> domains;

    public DomainNodeLost(long round, Set<String> domains, String why) {
      super("the node hosting time domains " + domains + " was lost at round " + round + ": " + why);
      this.round = round;
      this.domains = domains;
    }

    public long round() {
      return round;
    }

    public Set<String> domains() {
      return domains;
    }
  }
}
