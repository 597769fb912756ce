package dev.devemu.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The lane's fairness bound (issue 17.1): whatever the strategy prefers, a runnable message is delivered before
 * virtual time moves more than the bound past the moment it became runnable, and no run hangs.
 *
 * <p>The machine: a CPU polls a device's status register until its DMA engine is idle, as a driver's
 * {@code readl_poll_timeout} does: a read, the device's answer, and (in the delayed variant) a 1 us delay
 * between reads. The DMA engine's completion message is runnable from the start; the device reports idle only
 * once it has been delivered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FairnessBoundTest {
  static final long BOUND = 50 * VirtualClock.MICROSECOND;
  static final long END = 5 * VirtualClock.MILLISECOND;

  SimHost host;

  @BeforeAll
  void start() {
    host = SimHost.start("FairnessBoundTest", 1);
  }

  @AfterAll
  void stop() {
    host.close();
  }

  record Msg(String what) implements Traceable, org.apache.pekko.actor.NoSerializationVerificationNeeded {
    public String traceText() {
      return what;
    }
  }

  /** What the polling driver saw. */
  static final class Seen {
    long dmaDeliveredAt = -1;
    long idleSeenAt = -1;
    long polls;
    long faultsInjected;
  }

  /**
   * @param delayNanos delay between two polls (0: a tight loop that never lets time pass by itself)
   */
  static Behavior<Object> machine(SimRun run, Seen seen, long delayNanos) {
    return Behaviors.setup(ctx -> {
      boolean[] dmaDone = new boolean[1];
      @SuppressWarnings("unchecked")
      ActorRef<Object>[] cpu = new ActorRef[1];
      // under +steer every read is also a fault decision (as a driver's calls at fault points are): a failed one
      // sends a message to a bystander, one more runnable message the bound must cover
      ActorRef<Object> bystander = ctx.spawn(Behaviors.receive(Object.class)
          .onMessage(Msg.class, m -> Behaviors.same()).build(), "bystander", DispatcherSelector.sameAsParent());
      ActorRef<Object> device = ctx.spawn(Behaviors.receive(Object.class)
          .onMessage(Msg.class, m -> {
            if (run.steersFaults() && run.chooseFault("readl_noise", "device", 0.3)) {
              seen.faultsInjected++;
              bystander.tell(new Msg("noise"));
            }
            cpu[0].tell(new Msg(dmaDone[0] ? "idle" : "busy"));
            return Behaviors.same();
          }).build(), "device", DispatcherSelector.sameAsParent());
      ActorRef<Object> dma = ctx.spawn(Behaviors.receive(Object.class)
          .onMessage(Msg.class, m -> {
            dmaDone[0] = true;
            seen.dmaDeliveredAt = run.clock().now();
            return Behaviors.same();
          }).build(), "dma", DispatcherSelector.sameAsParent());
      cpu[0] = ctx.spawn(Behaviors.receive(Object.class)
          .onMessage(Msg.class, m -> {
            seen.polls++;
            if (m.what().equals("idle")) {
              if (seen.idleSeenAt < 0) seen.idleSeenAt = run.clock().now();
              return Behaviors.same();
            }
            if (delayNanos == 0) device.tell(new Msg("readl"));
            else run.clock().schedule(delayNanos, "udelay", () -> device.tell(new Msg("readl")));
            return Behaviors.same();
          }).build(), "cpu0", DispatcherSelector.sameAsParent());
      // the completion is runnable from the start; the poll loop starts at once
      dma.tell(new Msg("DmaComplete"));
      cpu[0].tell(new Msg("busy"));
      // a steady device timer, so that time can always move on within the lookahead
      scheduleTicks(run, 0);
      run.clock().schedule(END, "end", () -> ctx.getSelf().tell("stop"));
      return Behaviors.receive(Object.class)
          .onMessageEquals("stop", Behaviors::stopped)
          .onSignal(PostStop.class, s -> {
            run.finish();
            return Behaviors.same();
          })
          .build();
    });
  }

  static void scheduleTicks(SimRun run, long at) {
    if (at > END) return;
    run.clock().schedule(2 * VirtualClock.MICROSECOND, "tick", () -> scheduleTicks(run, at + 2_000));
  }

  /** A strategy written to starve: never the DMA engine, never the clock, unless nothing else is offered. */
  static final class Starver implements SchedulingStrategy {
    @Override
    public int choose(ChoicePoint point) {
      for (int i = 0; i < point.runnableCount(); i++) {
        if (!point.actorId(i).equals("dma")) return i;
      }
      return point.timerEligible() || point.runnableCount() == 0 ? FIRE_TIMER : 0;
    }

    @Override
    public String name() {
      return "starver";
    }
  }

  List<Supplier<SchedulingStrategy>> strategies() {
    List<Supplier<SchedulingStrategy>> all = new ArrayList<>();
    all.add(RandomWalkStrategy::new);
    for (int depth = 1; depth <= 5; depth++) {
      int d = depth;
      all.add(() -> new PctStrategy(d, 500));
      all.add(() -> PctStrategy.steeringFaults(d, 500, 50));
    }
    all.add(() -> new RandomWalkStrategy(true));
    all.add(Starver::new);
    return all;
  }

  Seen runOnce(long seed, SchedulingStrategy strategy, long delay, DeliveryTrace trace) {
    Seen seen = new Seen();
    SimRun run = SimRun.builder(seed).strategy(strategy).trace(trace == null ? TraceSink.NONE : trace)
        .lookaheadNanos(20 * VirtualClock.MICROSECOND).fairnessNanos(BOUND).build();
    SimLane.RunStats stats = host.run(0, run, r -> machine(r, seen, delay));
    // the device's ticks within the lookahead may run the clock a little past the end before the end is handled
    assertTrue(stats.virtualNanos() >= END && stats.virtualNanos() <= END + 20 * VirtualClock.MICROSECOND,
        strategy.name() + " seed " + seed + ": the run ended at " + stats.virtualNanos() + " ns");
    return seen;
  }

  @Test
  void aRunnableDmaCompletionIsDeliveredWithinTheBoundUnderEveryStrategy() {
    for (long delay : new long[] {VirtualClock.MICROSECOND, 0}) {
      for (Supplier<SchedulingStrategy> s : strategies()) {
        for (long seed = 1; seed <= 20; seed++) {
          SchedulingStrategy strategy = s.get();
          Seen seen = runOnce(seed, strategy, delay, null);
          String what = strategy.name() + " seed " + seed + " poll delay " + delay + " ns";
          assertTrue(seen.dmaDeliveredAt >= 0, what + ": the DMA completion was never delivered");
          assertTrue(seen.dmaDeliveredAt <= BOUND, what + ": delivered at " + seen.dmaDeliveredAt
              + " ns, past the bound of " + BOUND + " ns");
          // then the poller sees idle within a bounded number of bounded steps: an answer in flight, its delay,
          // the next read and its answer, each held up at most by the bound
          assertTrue(seen.idleSeenAt >= seen.dmaDeliveredAt
                  && seen.idleSeenAt <= seen.dmaDeliveredAt + 3 * BOUND + delay + 20 * VirtualClock.MICROSECOND,
              what + ": the poller saw idle at " + seen.idleSeenAt + " ns");
        }
      }
    }
  }

  @Test
  void theStarverIsHeldToTheBoundInTimeEvenWhenItCouldPostponeForever() {
    // the starver never picks the DMA engine by choice: only the bound can have delivered it, and it did so
    // before time passed the bound, although the device's ticks let time move on every 2 us
    Seen seen = runOnce(1, new Starver(), VirtualClock.MICROSECOND, null);
    assertTrue(seen.dmaDeliveredAt > 0, "delivered at " + seen.dmaDeliveredAt + ": the starver was not forced");
    assertTrue(seen.dmaDeliveredAt <= BOUND);
  }

  @Test
  void replayOfAFairRunReproducesIt() {
    DeliveryTrace recorded = new DeliveryTrace(true);
    Seen first = runOnce(3, new PctStrategy(3, 500), 0, recorded);
    DeliveryTrace again = new DeliveryTrace(true);
    Seen replayed = runOnce(1, new ReplayStrategy(recorded.choices(), true), 0, again);
    assertEquals(recorded.sha256(), again.sha256());
    assertEquals(first.dmaDeliveredAt, replayed.dmaDeliveredAt);
  }

  @Test
  void replayOfASteeredRunMakesTheSameFaultDecisions() {
    // PCT's F measured as the CLI does: a first run in which every call passes
    PctStrategy probe = PctStrategy.steeringFaults(1, 1, 0);
    runOnce(4, probe, VirtualClock.MICROSECOND, null);
    assertTrue(probe.faultDecisions() > 2, "the probe run made " + probe.faultDecisions() + " fault decisions");
    List<Supplier<SchedulingStrategy>> steering = List.of(() -> new RandomWalkStrategy(true),
        () -> PctStrategy.steeringFaults(3, 500, probe.faultDecisions()));
    for (Supplier<SchedulingStrategy> s : steering) {
      boolean injected = false;
      // the first seed whose run injects a fault (a PCT run may reach idle before its fault steps)
      for (long seed = 1; seed <= 20 && !injected; seed++) {
        SchedulingStrategy steered = s.get();
        DeliveryTrace recorded = new DeliveryTrace(true);
        Seen first = runOnce(seed, steered, VirtualClock.MICROSECOND, recorded);
        long decisions = recorded.choices().stream().filter(FaultChoices::isFault).count();
        long fails = recorded.choices().stream().filter(c -> FaultChoices.isFault(c) && FaultChoices.failed(c)).count();
        assertTrue(decisions > 0, steered.name() + ": no fault decision in the trace");
        assertEquals(first.faultsInjected, fails, steered.name());
        injected = fails > 0;
        DeliveryTrace again = new DeliveryTrace(true);
        Seen replayed = runOnce(1, new ReplayStrategy(recorded.choices(), true, true), VirtualClock.MICROSECOND, again);
        assertEquals(recorded.sha256(), again.sha256(), steered.name() + " seed " + seed);
        assertEquals(first.faultsInjected, replayed.faultsInjected, steered.name());
        assertEquals(first.dmaDeliveredAt, replayed.dmaDeliveredAt, steered.name());
      }
      assertTrue(injected, "no run of seeds 1..20 injected a fault");
    }
  }

  @Test
  void aLivelockEndsTheRunThroughTheStallHandler() {
    // two actors ping-pong for ever with no timer at all: time can never move; the stall handler must be told
    List<String> blamed = new ArrayList<>();
    boolean[] stop = new boolean[1];
    SimRun run = SimRun.builder(1).maxChoicesPerInstant(10_000).build();
    run.onStall(spinner -> {
      blamed.add(spinner);
      stop[0] = true;
    });
    SimLane.RunStats stats = host.run(0, run, r -> Behaviors.setup(ctx -> {
      @SuppressWarnings("unchecked")
      ActorRef<Object>[] peers = new ActorRef[2];
      for (int i = 0; i < 2; i++) {
        int me = i;
        peers[i] = ctx.spawn(Behaviors.receive(Object.class).onMessage(Msg.class, m -> {
          if (!stop[0]) peers[1 - me].tell(m);
          else ctx.getSelf().tell("stop");
          return Behaviors.same();
        }).build(), "spin" + i, DispatcherSelector.sameAsParent());
      }
      peers[0].tell(new Msg("ping"));
      return Behaviors.receive(Object.class)
          .onMessageEquals("stop", Behaviors::stopped)
          .onSignal(PostStop.class, s -> {
            r.finish();
            return Behaviors.same();
          }).build();
    }));
    assertEquals(1, blamed.size(), "stall handler calls: " + blamed);
    assertTrue(blamed.get(0).startsWith("spin"), "blamed " + blamed.get(0));
    assertTrue(stats.choices() < 20_000, stats.choices() + " choices");
  }
}
