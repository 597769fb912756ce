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

  public static Behavior<Object> create() {
    return Behaviors.setup(ctx -> {
      Map<Long, Hosted> runs = new HashMap<>();
      return Behaviors.receive(Object.class)
          .onMessage(Start.class, m -> {
            Hosted h = new Hosted(m.run());
            Hosted before = runs.put(m.run(), h);
            if (before != null) before.close();
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
          .onAnyMessage(m -> {
            log.warn("devemu: the domain host dropped an unexpected {}", m.getClass().getName());
            return Behaviors.same();
          })
          .build();
    });
  }
}
