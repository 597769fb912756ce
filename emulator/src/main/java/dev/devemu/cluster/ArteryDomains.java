package dev.devemu.cluster;

import com.google.protobuf.ByteString;
import dev.devemu.cluster.DomainNodeMessages.End;
import dev.devemu.cluster.DomainNodeMessages.Ended;
import dev.devemu.cluster.DomainNodeMessages.Round;
import dev.devemu.cluster.DomainNodeMessages.RoundDone;
import dev.devemu.cluster.DomainNodeMessages.Start;
import dev.devemu.cluster.DomainNodeMessages.Started;
import dev.devemu.sim.domain.RemoteDomains;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Device domains of a run hosted by a {@link DomainHost} on another node, reached over Pekko Artery: every
 * message is a Protobuf record of link.proto (never Java serialization). The guest's node blocks on each answer
 * for at most {@code timeout}; a node that does not answer in time, or answers with an error, is reported as
 * {@link RemoteDomains.DomainNodeLost} at that round.
 */
public final class ArteryDomains implements RemoteDomains {
  private static final AtomicLong RUNS = new AtomicLong(System.nanoTime());

  private final ActorSystem<?> system;
  private final ActorRef<Object> host;
  private final Set<String> hosted;
  private final Start start;
  private final Duration timeout;
  private final long run = RUNS.incrementAndGet();
  private final LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
  private ActorRef<Object> inbox;
  private long round;

  public ArteryDomains(ActorSystem<?> system, ActorRef<Object> host, Set<String> hosted, String scenarioFile,
      String scenarioSource, long seed, boolean detailed, long maxChoices, Duration timeout) {
    this.system = system;
    this.host = host;
    this.hosted = Set.copyOf(hosted);
    this.timeout = timeout;
    this.start = new Start(run, scenarioSource, scenarioFile, seed, List.copyOf(new java.util.TreeSet<>(hosted)),
        detailed, maxChoices, null);
  }

  @Override
  public Set<String> hosted() {
    return hosted;
  }

  @Override
  public long[] start() {
    inbox = system.systemActorOf(Behaviors.receive(Object.class).onAnyMessage(m -> {
      answers.add(m);
      return Behaviors.same();
    }).build(), "domains-" + run, Props.empty());
    host.tell(new Start(start.run(), start.source(), start.file(), start.seed(), start.hosted(), start.detailed(),
        start.maxChoices(), inbox));
    Started s = await(Started.class, -1);
    if (!s.error().isEmpty()) throw new DomainNodeLost(0, hosted, "could not host them: " + s.error(), false);
    return DomainNodeMessages.unboxed(s.next());
  }

  @Override
  public void send(long round, long[] horizons, List<byte[]> frames) {
    this.round = round;
    List<ByteString> out = new ArrayList<>(frames.size());
    for (byte[] f : frames) out.add(ByteString.copyFrom(f));
    host.tell(new Round(run, round, DomainNodeMessages.boxed(horizons), out, inbox));
  }

  @Override
  public RoundResult receive(long round) {
    RoundDone d = await(RoundDone.class, round);
    if (!d.error().isEmpty()) throw new DomainNodeLost(round, hosted, d.error(), false);
    List<byte[]> frames = new ArrayList<>(d.frames().size());
    for (ByteString f : d.frames()) frames.add(f.toByteArray());
    return new RoundResult(DomainNodeMessages.unboxed(d.next()), frames, d.trace());
  }

  @Override
  public long[] end() {
    try {
      host.tell(new End(run, inbox));
      Ended e = await(Ended.class, -1);
      return new long[] {e.choices(), e.virtualNanos(), e.crossings()};
    } finally {
      if (inbox != null) org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system).stop(
          org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(inbox));
    }
  }

  /** The next answer of type {@code type} for this run (and round), skipping stale ones; lost after the timeout. */
  private <T> T await(Class<T> type, long forRound) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Object m;
      try {
        m = left <= 0 ? null : answers.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DomainNodeLost(round, hosted, "interrupted while waiting");
      }
      if (m == null) {
        throw new DomainNodeLost(round, hosted, "no answer within " + timeout.toMillis() + " ms");
      }
      if (!type.isInstance(m)) continue;
      if (m instanceof RoundDone d && (d.run() != run || d.round() != forRound)) continue;
      return type.cast(m);
    }
  }
}
