package dev.devemu.sim.domain;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Domains hosted by another {@link dev.devemu.sim.SimHost} (another actor system) of this JVM, answered
 * synchronously: the round protocol of nodes without the network. Crossings still travel as LinkFrame bytes and
 * every actor is found by path in the other system, so a run through this is what a run across nodes computes;
 * tests and the bench use it as the baseline of the remote case.
 */
public final class InProcessDomains implements RemoteDomains {
  private final Set<String> hosted;
  private final Supplier<DomainNodes.Hosting> start;
  private DomainNodes.Hosting hosting;
  private RoundResult last;
  private long lastRound = -1;

  /** @param start builds this part of the run (DomainNodes.host), called by {@link #start()} */
  public InProcessDomains(Set<String> hosted, Supplier<DomainNodes.Hosting> start) {
    this.hosted = Set.copyOf(hosted);
    this.start = start;
  }

  @Override
  public Set<String> hosted() {
    return hosted;
  }

  @Override
  public long[] start() {
    hosting = start.get();
    return hosting.next();
  }

  @Override
  public void send(long round, long[] horizons, List<byte[]> frames) {
    last = hosting.round(round, horizons, frames);
    lastRound = round;
  }

  @Override
  public RoundResult receive(long round) {
    if (round != lastRound) throw new DomainNodeLost(round, hosted, "no answer to round " + round);
    return last;
  }

  @Override
  public long[] end() {
    return hosting.end();
  }

  /** Frames the hosting side dropped on arrival. */
  public long dropped() {
    return hosting == null ? 0 : hosting.dropped();
  }
}
