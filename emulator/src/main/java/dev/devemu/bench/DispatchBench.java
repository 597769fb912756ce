package dev.devemu.bench;

import com.typesafe.config.ConfigFactory;
import dev.devemu.scenario.Scenario;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.SimRun;
import dev.devemu.testbed.Runner;
import dev.devemu.testbed.Testbed;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Figure 1: the same testbed (CPUs, interrupt controller, host bridge, PCI bus, sample devices in closed loop,
 * my_pcie bound to each) doing the same work — every device produces {@code budget} samples, each handled by
 * the driver's interrupt handler — once on a deterministic lane and once on Pekko's default dispatcher limited
 * to one thread (one core each). Both are timed from the testbed's start until the last sample was produced.
 */
final class DispatchBench {
  /** Wall seconds of each mode for the same work, and how many choices the deterministic lane made. */
  record Result(int devices, long budget, long choices, double detSeconds, double liveSeconds) {
    double ratio() {
      return liveSeconds / detSeconds;
    }

    double detDeliveriesPerSecond() {
      return choices / detSeconds;
    }

    /** The default dispatcher does the same deliveries (same messages, other order). */
    double liveDeliveriesPerSecond() {
      return choices / liveSeconds;
    }
  }

  private DispatchBench() {}

  static Result run(int cpus, int devices, long budget, int rounds) throws InterruptedException {
    double bestDet = Double.MAX_VALUE;
    double bestLive = Double.MAX_VALUE;
    long choices = 0;
    try (SimHost host = SimHost.start("bench-det", 1)) {
      for (int round = 0; round < rounds; round++) {
        // alternate the modes so that JIT warm-up and GC pressure hit both alike
        long[] det = deterministic(host, cpus, devices, budget);
        choices = det[1];
        bestDet = Math.min(bestDet, det[0] / 1e9);
        bestLive = Math.min(bestLive, live(cpus, devices, budget) / 1e9);
      }
    }
    return new Result(devices, budget, choices, bestDet, bestLive);
  }

  /** @return {wall nanos until the last budget was spent, choices of the whole run} */
  private static long[] deterministic(SimHost host, int cpus, int devices, long budget) {
    AtomicInteger left = new AtomicInteger(devices);
    AtomicLong end = new AtomicLong();
    Scenario s = BenchTopology.scenario("dispatch-bench", cpus, devices, 0, budget, () -> {
      if (left.decrementAndGet() == 0) end.set(System.nanoTime());
    }, "safe", 1_000_000_000L, null);
    long start = System.nanoTime();
    Runner.Outcome o = Runner.run(host, 0, s, 1, Runner.Options.defaults().withTrace(Runner.TraceMode.NONE));
    if (left.get() != 0) throw new IllegalStateException("deterministic bench did not finish its work");
    return new long[] {end.get() - start, o.result().choices()};
  }

  private static long live(int cpus, int devices, long budget) throws InterruptedException {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-live", ConfigFactory.parseString(
        "pekko.actor.default-dispatcher.fork-join-executor { parallelism-min = 1, parallelism-max = 1 }\n" + System.getProperty("bench.live.extra", ""))
        .withFallback(ConfigFactory.load()));
    try {
      CountDownLatch done = new CountDownLatch(devices);
      Scenario s = BenchTopology.scenario("dispatch-bench", cpus, devices, 0, budget, done::countDown, "safe",
          1_000_000_000L, null);
      SimRun run = SimRun.builder(1).build();
      long start = System.nanoTime();
      system.systemActorOf(Testbed.create(s, run, r -> {}), "testbed", DispatcherSelector.defaultDispatcher());
      if (!done.await(10, TimeUnit.MINUTES)) throw new IllegalStateException("live bench did not finish its work");
      return System.nanoTime() - start;
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }
}
