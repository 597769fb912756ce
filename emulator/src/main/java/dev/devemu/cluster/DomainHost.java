package dev.devemu.cluster;

import com.google.protobuf.ByteString;
import dev.devemu.cluster.DomainNodeMessages.End;
import dev.devemu.cluster.DomainNodeMessages.Ended;
import dev.devemu.cluster.DomainNodeMessages.Round;
import dev.devemu.cluster.DomainNodeMessages.RoundDone;
import dev.devemu.cluster.DomainNodeMessages.Start;
import dev.devemu.cluster.DomainNodeMessages.Started;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.domain.DomainNodes;
import dev.devemu.sim.domain.RemoteDomains;
import dev.devemu.testbed.Runner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's host for device domains of runs whose guest runs on another node (docs/domains.md, "Nodes"). Each run
 * gets its own {@link SimHost} (its own actor system for the testbed's actors: paths below the root are the same
 * as on the guest's node) and one thread that builds the testbed and runs the hosted domains' windows, round by
 * round, answering each {@link Round} with a {@link RoundDone}. Anything it does not expect is logged and dropped:
 * a malformed frame never stops the node.
 */
public final class DomainHost {
  private static final Logger log = LoggerFactory.getLogger(DomainHost.class);

  /** How other nodes find it (Receptionist). */
  public static final ServiceKey<Object> KEY = ServiceKey.create(Object.class, "devemu-domain-host");

  private DomainHost() {}

  private static final class Hosted {
    final ExecutorService thread;
    SimHost host;
    DomainNodes.Hosting hosting;

    Hosted(long run) {
      thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "devemu-domains-" + run);
        t.setDaemon(true);
        return t;
      });
    }

    void close() {
      thread.execute(() -> {
        if (hosting != null) hosting.abort();
        if (host != null) host.close();
      });
      thread.shutdown();
    }
  }

  /**
   * The guest's side of a run went silent for {@link #IDLE_TIMEOUT} (its process died, or its node was partitioned
   * away for good: no End will come): this node drops its part of the run. (Pekko's remote death watch would say it
   * sooner, but it does not watch a process outside the cluster, which the guest's `devemu run` is.)
   */
  private record GuestGone(long run) implements dev.devemu.wire.LocalOnly {}

  /** How long a run may send no round before its guest counts as gone: far longer than any window of a guest. */
  static final java.time.Duration IDLE_TIMEOUT = java.time.Duration.ofMinutes(10);

  public static Behavior<Object> create() {
    return create(IDLE_TIMEOUT);
  }

  static Behavior<Object> create(java.time.Duration idleTimeout) {
    return Behaviors.withTimers(timers -> create(idleTimeout, timers));
  }

  private static Behavior<Object> create(java.time.Duration idleTimeout,
      org.apache.pekko.actor.typed.javadsl.TimerScheduler<Object> timers) {
    return Behaviors.setup(ctx -> {
      Map<Long, Hosted> runs = new HashMap<>();
      return Behaviors.receive(Object.class)
          .onMessage(Start.class, m -> {
            Hosted h = new Hosted(m.run());
            Hosted before = runs.put(m.run(), h);
            if (before != null) before.close();
            // a guest that dies never sends End: without this, its host thread and testbed would stay here
            timers.startSingleTimer(m.run(), new GuestGone(m.run()), idleTimeout);
            h.thread.execute(() -> {
              try {
                Scenario scenario = ScenarioLoader.parse(m.file(), m.source());
                h.host = SimHost.start("devemu-domains-" + m.run(), 1);
                h.hosting = Runner.hostDomains(h.host, 0, scenario, m.seed(), m.detailed(), m.maxChoices(),
                    Set.copyOf(m.hosted()));
                m.replyTo().tell(new Started(m.run(), DomainNodeMessages.boxed(h.hosting.next()), ""));
              } catch (RuntimeException | Error e) {
                log.warn("devemu: cannot host domains {} of run {}: {}", m.hosted(), m.run(), e.toString());
                m.replyTo().tell(new Started(m.run(), List.of(), String.valueOf(e.getMessage())));
              }
            });
            return Behaviors.same();
          })
          .onMessage(Round.class, m -> {
            Hosted h = runs.get(m.run());
            if (h == null) {
              log.warn("devemu: dropped round {} of run {}: no such run here", m.round(), m.run());
              return Behaviors.same();
            }
            timers.startSingleTimer(m.run(), new GuestGone(m.run()), idleTimeout);
            h.thread.execute(() -> {
              try {
                List<byte[]> frames = new ArrayList<>(m.frames().size());
                for (ByteString f : m.frames()) frames.add(f.toByteArray());
                RemoteDomains.RoundResult res = h.hosting.round(m.round(), DomainNodeMessages.unboxed(m.horizons()),
                    frames);
                List<ByteString> out = new ArrayList<>(res.frames().size());
                for (byte[] f : res.frames()) out.add(ByteString.copyFrom(f));
                m.replyTo().tell(new RoundDone(m.run(), m.round(), DomainNodeMessages.boxed(res.next()), out,
                    res.trace(), ""));
              } catch (RuntimeException | Error e) {
                log.warn("devemu: round {} of run {} failed: {}", m.round(), m.run(), e.toString());
                m.replyTo().tell(new RoundDone(m.run(), m.round(), List.of(), List.of(), List.of(),
                    String.valueOf(e)));
              }
            });
            return Behaviors.same();
          })
          .onMessage(End.class, m -> {
            timers.cancel(m.run());
            Hosted h = runs.remove(m.run());
            if (h == null) return Behaviors.same();
            h.thread.execute(() -> {
              long[] st = {0, 0, 0};
              try {
                if (h.hosting != null) st = h.hosting.end();
              } catch (RuntimeException | Error e) {
                log.warn("devemu: ending run {} failed: {}", m.run(), e.toString());
              }
              m.replyTo().tell(new Ended(m.run(), st[0], st[1], st[2]));
            });
            h.close();
            return Behaviors.same();
          })
          .onMessage(GuestGone.class, m -> {
            Hosted h = runs.remove(m.run());
            if (h != null) {
              log.warn("devemu: the guest of run {} sent no round for {}: gone (its process or node was lost); "
                  + "dropping its domains here", m.run(), idleTimeout);
              h.close();
            }
            return Behaviors.same();
          })
          .onAnyMessage(m -> {
            log.warn("devemu: the domain host dropped an unexpected {}", m.getClass().getName());
            return Behaviors.same();
          })
          .build();
    });
  }
}
