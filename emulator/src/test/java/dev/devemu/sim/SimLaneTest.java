package dev.devemu.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimLaneTest {
  SimHost host;

  @BeforeAll
  void start() {
    host = SimHost.start("SimLaneTest", 2);
  }

  @AfterAll
  void stop() {
    host.close();
  }

  record Ping(int hops) implements Traceable, org.apache.pekko.actor.NoSerializationVerificationNeeded {
    public String traceText() {
      return "Ping(" + hops + ")";
    }
  }

  /** Three actors pass pings around; a clock tick injects more; the root stops after 10 virtual ms. */
  static Behavior<Object> root(SimRun run) {
    return Behaviors.setup(ctx -> {
      @SuppressWarnings("unchecked")
      ActorRef<Object>[] peers = new ActorRef[3];
      for (int i = 0; i < 3; i++) {
        peers[i] = ctx.spawn(peer(peers, i), "peer" + i, DispatcherSelector.sameAsParent());
      }
      for (int i = 0; i < 10; i++) {
        long at = i * VirtualClock.MILLISECOND / 2;
        int target = i % 3;
        run.clock().schedule(at, "tick", () -> peers[target].tell(new Ping(0)));
      }
      run.clock().schedule(10 * VirtualClock.MILLISECOND, "end", () -> ctx.getSelf().tell("stop"));
      return Behaviors.receive(Object.class)
          .onMessageEquals("stop", () -> Behaviors.stopped())
          .onSignal(PostStop.class, s -> {
            run.finish();
            return Behaviors.same();
          })
          .build();
    });
  }

  static Behavior<Object> peer(ActorRef<Object>[] peers, int me) {
    return Behaviors.receive(Object.class)
        .onMessage(Ping.class, p -> {
          if (p.hops() < 5) {
            peers[(me + 1) % 3].tell(new Ping(p.hops() + 1));
            peers[(me + 2) % 3].tell(new Ping(p.hops() + 2));
          }
          return Behaviors.same();
        })
        .build();
  }

  String hashOf(long seed, SchedulingStrategy strategy, DeliveryTrace trace) {
    SimRun run = SimRun.builder(seed).strategy(strategy).trace(trace).lookaheadNanos(VirtualClock.MILLISECOND).build();
    SimLane.RunStats stats = host.run(0, run, SimLaneTest::root);
    assertEquals(0, stats.foreignEnqueues(), "every enqueue must come from the lane thread");
    assertEquals(10 * VirtualClock.MILLISECOND, stats.virtualNanos());
    return trace.sha256();
  }

  @Test
  void sameSeedGivesSameTrace() {
    String a = hashOf(7, new RandomWalkStrategy(), new DeliveryTrace(false));
    String b = hashOf(7, new RandomWalkStrategy(), new DeliveryTrace(false));
    assertEquals(a, b);
  }

  @Test
  void seedsGiveDifferentInterleavings() {
    Set<String> hashes = new HashSet<>();
    for (long seed = 1; seed <= 20; seed++) hashes.add(hashOf(seed, new RandomWalkStrategy(), new DeliveryTrace(false)));
    assertTrue(hashes.size() > 10, "20 seeds gave only " + hashes.size() + " interleavings");
  }

  @Test
  void replayOfRecordedChoicesReproducesTheTrace() {
    DeliveryTrace recorded = new DeliveryTrace(true);
    String original = hashOf(99, new PctStrategy(3, 2000), recorded);
    assertTrue(recorded.count() > 100, "only " + recorded.count() + " deliveries: " + recorded.deliveries());
    assertTrue(recorded.deliveries().stream().anyMatch(d -> d.actor().equals("peer1")));
    String replayed = hashOf(1, new ReplayStrategy(recorded.choices(), true), new DeliveryTrace(false));
    assertEquals(original, replayed);
  }

  @Test
  void strictReplayRejectsAnImpossibleChoice() {
    DeliveryTrace recorded = new DeliveryTrace(true);
    hashOf(5, new RandomWalkStrategy(), recorded);
    var choices = new java.util.ArrayList<>(recorded.choices());
    choices.set(3, "no-such-actor");
    assertThrows(ReplayStrategy.TraceDivergedException.class,
        () -> hashOf(5, new ReplayStrategy(choices, true), new DeliveryTrace(false)));
  }

  @Test
  void runsOnTwoLanesInParallelStayDeterministic() throws Exception {
    String expected = hashOf(11, new RandomWalkStrategy(), new DeliveryTrace(false));
    String[] other = new String[1];
    Thread t = new Thread(() -> {
      DeliveryTrace trace = new DeliveryTrace(false);
      SimRun run = SimRun.builder(11).trace(trace).lookaheadNanos(VirtualClock.MILLISECOND).build();
      host.run(1, run, SimLaneTest::root);
      other[0] = trace.sha256();
    });
    t.start();
    String mine = hashOf(11, new RandomWalkStrategy(), new DeliveryTrace(false));
    t.join();
    assertEquals(expected, mine);
    assertEquals(expected, other[0]);
  }

  record Numbered(int n) implements Traceable, org.apache.pekko.actor.NoSerializationVerificationNeeded {
    public String traceText() {
      return "Numbered(" + n + ")";
    }
  }

  /**
   * The lane's own message queue (no atomics, a ring that grows) keeps each sender's order: bursts of 1, 3, 7 …
   * messages from one actor, received between bursts, arrive in the order they were sent.
   */
  @Test
  void messagesFromOneSenderArriveInOrderThroughBurstsThatGrowTheQueue() {
    java.util.List<Integer> received = new java.util.ArrayList<>();
    SimRun run = SimRun.builder(3).build();
    SimLane.RunStats stats = host.run(0, run, r -> Behaviors.<Object>setup(ctx -> {
      ActorRef<Object> sink = ctx.spawn(Behaviors.receive(Object.class).onMessage(Numbered.class, m -> {
        received.add(m.n());
        return Behaviors.same();
      }).build(), "sink", DispatcherSelector.sameAsParent());
      int[] next = {0};
      for (int burst = 0, size = 1; burst < 6; burst++, size = size * 2 + 1) {
        int n = size;
        r.clock().schedule(burst + 1, "burst", () -> {
          for (int i = 0; i < n; i++) sink.tell(new Numbered(next[0]++));
        });
      }
      r.clock().schedule(100, "end", () -> ctx.getSelf().tell("stop"));
      return Behaviors.receive(Object.class)
          .onMessageEquals("stop", () -> Behaviors.stopped())
          .onSignal(PostStop.class, sig -> {
            r.finish();
            return Behaviors.same();
          })
          .build();
    }));
    assertEquals(0, stats.foreignEnqueues());
    assertEquals(1 + 3 + 7 + 15 + 31 + 63, received.size());
    for (int i = 0; i < received.size(); i++) assertEquals(i, received.get(i), "message " + i + " out of order");
  }

  /** Two hosts of the same name in one JVM have lanes of their own: both run, and both shut down. */
  @Test
  void hostsOfTheSameNameDoNotShareLanes() {
    try (SimHost a = SimHost.start("same-name", 1); SimHost b = SimHost.start("same-name", 1)) {
      assertNotSame(SimLanes.lane(a.system(), 0), SimLanes.lane(b.system(), 0));
      for (SimHost h : java.util.List.of(a, b)) {
        DeliveryTrace trace = new DeliveryTrace(false);
        SimRun run = SimRun.builder(11).trace(trace).lookaheadNanos(VirtualClock.MILLISECOND).build();
        assertEquals(10 * VirtualClock.MILLISECOND, h.run(0, run, SimLaneTest::root).virtualNanos());
      }
    }
  }
}
