package dev.devemu.sim.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.devemu.sim.DeliveryTrace;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.ReplayStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.SimRandom;
import dev.devemu.sim.SimRun;
import dev.devemu.sim.Traceable;
import dev.devemu.sim.VirtualClock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A small machine split into three domains: a guest with two "CPUs" that race on a counter, and two devices in
 * domains of their own that raise interrupts on their own clocks and answer reads (which cross the link twice).
 * The property under test: one thread or several, the same trace; different seeds, different traces.
 */
class DomainRunTest {
  private static SimHost host;

  @BeforeAll
  static void start() {
    host = SimHost.start("domain-run-test", 1);
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  record Msg(String text, ActorRef<Msg> replyTo) implements Traceable,
      org.apache.pekko.actor.NoSerializationVerificationNeeded {
    @Override
    public String traceText() {
      return text;
    }
  }

  static final DomainPlan PLAN = new DomainPlan(List.of(
      new DomainPlan.Domain("dev0", 500, List.of("dev0")),
      new DomainPlan.Domain("dev1", 800, List.of("dev1"))));

  /** A device: every few microseconds of its own clock (drawn from its stream) it interrupts the guest; answers reads. */
  static Behavior<Msg> device(String name, VirtualClock clock, SimRandom random, ActorRef<Msg> guest) {
    return Behaviors.setup(ctx -> {
      ActorRef<Msg> self = ctx.getSelf();
      long[] raised = {0};
      Runnable[] tick = new Runnable[1];
      tick[0] = () -> {
        self.tell(new Msg("tick", null));
        clock.schedule(1_000 + random.nextLong(4_000), name + " tick", tick[0]);
      };
      clock.schedule(1_000, name + " tick", tick[0]);
      return Behaviors.receive(Msg.class).onMessage(Msg.class, m -> {
        if (m.text().equals("tick")) {
          // real work per event, so that running domains at once can pay off
          long x = raised[0];
          for (int i = 0; i < 2_000; i++) x = x * 6364136223846793005L + 1442695040888963407L;
          raised[0] = x | 1;
          guest.tell(new Msg("irq " + name, self));
        } else if (m.text().startsWith("read")) {
          m.replyTo().tell(new Msg("value " + name + " " + (raised[0] & 0xff), null));
        }
        return Behaviors.same();
      }).build();
    });
  }

  static Behavior<Msg> cpu(int id, int[] counter) {
    return Behaviors.receive(Msg.class).onMessage(Msg.class, m -> {
      int seen = counter[0];
      counter[0] = seen + 1; // unsynchronised on purpose: the interleaving decides the result
      if (m.replyTo() != null) m.replyTo().tell(new Msg("read from cpu" + id + " after " + seen, null));
      return Behaviors.same();
    }).build();
  }

  static Behavior<Msg> guestRoot(SimRun run, long durationNanos, List<String> out) {
    return Behaviors.setup(ctx -> {
      int[] counter = {0};
      List<ActorRef<Msg>> cpus = new ArrayList<>();
      for (int i = 0; i < 2; i++) cpus.add(ctx.spawn(cpu(i, counter), "cpu" + i, DispatcherSelector.sameAsParent()));
      ActorRef<Msg> self = ctx.getSelf();
      for (String d : List.of("dev0", "dev1")) {
        ctx.spawn(device(d, run.placement().clock(d), run.random().fork(d), self), d,
            DispatcherSelector.fromConfig(run.placement().dispatcher(d)));
      }
      run.clock().schedule(durationNanos, "end", () -> self.tell(new Msg("end", null)));
      int[] irqs = {0};
      return Behaviors.receive(Msg.class)
          .onMessage(Msg.class, m -> {
            if (m.text().equals("end")) return Behaviors.stopped();
            if (m.text().startsWith("irq")) {
              irqs[0]++;
              // the handler runs on a CPU, and reads the device back (a non-posted read: two link crossings)
              cpus.get(irqs[0] % 2).tell(new Msg("handle " + m.text(), self));
              m.replyTo().tell(new Msg("read status", self));
            }
            return Behaviors.same();
          })
          .onSignal(PostStop.class, s -> {
            out.add("irqs=" + irqs[0] + " counter=" + counter[0] + " t=" + run.clock().now());
            run.finish();
            return Behaviors.same();
          })
          .build();
    });
  }

  record Result(String sha, DomainRun.Stats stats, List<String> out, DeliveryTrace trace) {}

  static Result run(long seed, int threads, dev.devemu.sim.SchedulingStrategy strategy) {
    DeliveryTrace trace = new DeliveryTrace(true);
    List<String> out = new ArrayList<>();
    DomainRun.Stats stats = DomainRun.run(host, 0, PLAN,
        new DomainRun.Settings(seed, strategy, trace, 2_000, SimRun.DEFAULT_FAIRNESS_NANOS, Long.MAX_VALUE, threads),
        run -> guestRoot(run, 300 * VirtualClock.MICROSECOND, out));
    return new Result(trace.sha256(), stats, out, trace);
  }

  @Test
  void oneThreadAndSeveralGiveTheSameTrace() {
    Set<String> distinct = new HashSet<>();
    for (long seed = 1; seed <= 6; seed++) {
      Result one = run(seed, 1, new RandomWalkStrategy());
      Result two = run(seed, 2, new RandomWalkStrategy());
      Result three = run(seed, 3, new RandomWalkStrategy());
      Result again = run(seed, 2, new RandomWalkStrategy());
      assertEquals(one.sha(), two.sha(), "seed " + seed + ": 1 vs 2 threads");
      assertEquals(one.sha(), three.sha(), "seed " + seed + ": 1 vs 3 threads");
      assertEquals(one.sha(), again.sha(), "seed " + seed + ": replay");
      assertEquals(one.out(), two.out());
      assertEquals(0, two.stats().foreignEnqueues());
      assertTrue(one.stats().crossings() > 50, "the devices talked to the guest: " + one.stats());
      assertTrue(one.stats().windows() > 10, "windows: " + one.stats());
      distinct.add(one.sha());
    }
    assertTrue(distinct.size() >= 4, "seeds give different interleavings: " + distinct.size());
  }

  @Test
  void aRecordedDomainTraceReplaysChoiceByChoice() {
    Result recorded = run(11, 2, new RandomWalkStrategy());
    assertTrue(recorded.trace().choices().stream().anyMatch(c -> c.startsWith("dev1|")), "device domains are named");
    // every domain replays its own part of the merged trace, strictly, on one thread this time
    Result replayed = run(11, 1, new ReplayStrategy(recorded.trace().choices(), true));
    assertEquals(recorded.sha(), replayed.sha());
    assertEquals(recorded.out(), replayed.out());
  }

  @Test
  void crossingsArriveNoEarlierThanTheLinkLatency() {
    Result r = run(3, 2, new RandomWalkStrategy());
    long lastSeen = -1;
    for (DeliveryTrace.Delivery d : r.trace().deliveries()) {
      assertTrue(d.timeNanos() >= lastSeen, "the merged trace is in time order");
      lastSeen = d.timeNanos();
    }
  }
}
