package dev.devemu.bench;

import dev.devemu.kernel.Variant;
import dev.devemu.scenario.Scenario;
import dev.devemu.sim.LeanBehavior;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.SimRun;
import dev.devemu.testbed.Runner;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Figure 2: heap bytes per idle device+driver pair. A testbed boots {@code pairs} sample devices, each bound to
 * my_pcie; one simulated second later, after a full GC, the used heap is read inside the run, and compared with
 * the same measurement of an empty testbed in the same process.
 */
final class HeapBench {
  /** Used heap with n pairs, the empty baseline, and what each pair costs. */
  record Result(int pairs, long usedBytes, long baselineBytes, int boundPairs) {
    double bytesPerPair() {
      return (usedBytes - baselineBytes) / (double) pairs;
    }
  }

  private HeapBench() {}

  /** @param histogram if not null, receives the live-object class histogram taken with n pairs (the top lines) */
  static Result run(SimHost host, int pairs, java.util.function.Consumer<String> histogram) {
    long baseline = measure(host, 0, null)[0];
    long[] used = measure(host, pairs, histogram);
    return new Result(pairs, used[0], baseline, (int) used[1]);
  }

  /** @return {used heap bytes, pairs bound} */
  private static long[] measure(SimHost host, int pairs, java.util.function.Consumer<String> histogram) {
    long[] used = new long[2];
    // Idle: one interrupt per simulated hour, so nothing happens after probe. The raw variant stays bound
    // when the machine runs out of interrupt vectors (its C habits ignore the error), like the rest of its pairs.
    Scenario s = BenchTopology.scenario("heap-bench", 4, pairs, 1.0 / 3600, 0, null, Variant.RAW, 2_000_000_000L,
        tb -> tb.kernel().clock().schedule(1_000_000_000L, "measure heap", () -> {
          used[0] = usedHeapAfterGc();
          if (histogram != null) histogram.accept(classHistogram());
        }));
    Runner.Outcome o = Runner.run(host, 0, s, 1, Runner.Options.defaults().withTrace(Runner.TraceMode.NONE));
    long exposure = o.result().exposureNanos().values().stream().mapToLong(Long::longValue).sum();
    used[1] = Math.round(exposure / (double) s.durationNanos()); // each bound pair is bound for the whole run
    return used;
  }

  /** Writes a heap dump (live objects) in HPROF format, for tools that show who holds what. */
  static void dumpHeap(java.nio.file.Path file) {
    try {
      ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
          .dumpHeap(file.toAbsolutePath().toString(), true);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The floor under figure 2: heap bytes of one idle Pekko typed actor as the testbed makes its devices and driver
   * instances (a child spawned on a lane, a {@link LeanBehavior} spawned as it is), measured the same way with
   * {@code actors} of them against none. A device+driver pair is two such actors before any state of its own.
   */
  static double bytesPerIdleActor(SimHost host, int actors) {
    return (actorsHeap(host, actors) - actorsHeap(host, 0)) / (double) actors;
  }

  private static long actorsHeap(SimHost host, int actors) {
    long[] used = new long[1];
    SimRun run = SimRun.builder(1).build();
    host.run(0, run, r -> Behaviors.<Object>setup(ctx -> {
      for (int i = 0; i < actors; i++) ctx.spawn(idleActor(), "a-" + i, DispatcherSelector.sameAsParent());
      // fires once every child has started (nothing runnable), then the root stops and the lane drains
      r.clock().schedule(1, "measure heap", () -> {
        used[0] = usedHeapAfterGc();
        r.finish();
        ctx.getSelf().tell("stop");
      });
      return Behaviors.receive(Object.class).onAnyMessage(m -> Behaviors.stopped()).build();
    }));
    return used[0];
  }

  private static Behavior<Object> idleActor() {
    return new LeanBehavior<>() {
      @Override
      protected Behavior<Object> onMessage(Object message) {
        return this;
      }
    };
  }

  /** What {@code jcmd PID GC.class_histogram} prints (live objects, after a full GC), from inside the JVM. */
  static String classHistogram() {
    try {
      return (String) ManagementFactory.getPlatformMBeanServer().invoke(
          new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
    } catch (javax.management.JMException e) {
      return "class histogram unavailable: " + e;
    }
  }

  static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      long now = memory.getHeapMemoryUsage().getUsed();
      if (now >= previous - 1024) return now;
      previous = now;
    }
    return previous;
  }
}
