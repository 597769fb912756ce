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
   *     not host; then, if 2n values, the earliest moment each may send (see {@code DomainNodes.Hosting#next})
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
   * A node stopped answering (or failed) at round {@code round}. A node that went silent ({@link #silent}: no answer
   * within the timeout — killed, partitioned away, frozen) loses its domains at that round: the guest sees their
   * devices surprise-removed and the run goes on (docs/domains.md, "A lost node"). A node that answered with an error
   * ends the run with that error.
   */
  final class DomainNodeLost extends RuntimeException {
    private final long round;
    private final Set<String> domains;
    private final boolean silent;

    public DomainNodeLost(long round, Set<String> domains, String why) {
      this(round, domains, why, true);
    }

    public DomainNodeLost(long round, Set<String> domains, String why, boolean silent) {
      super("the node hosting time domains " + domains + " was lost at round " + round + ": " + why);
      this.round = round;
      this.domains = domains;
      this.silent = silent;
    }

    public long round() {
      return round;
    }

    public Set<String> domains() {
      return domains;
    }

    /** True if the node went silent (lost); false if it answered with an error. */
    public boolean silent() {
      return silent;
    }
  }
}
