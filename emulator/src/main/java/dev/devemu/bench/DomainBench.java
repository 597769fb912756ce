package dev.devemu.bench;

import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.VirtualClock;
import dev.devemu.testbed.Runner;
import java.lang.management.ManagementFactory;

/**
 * Figure 7: a testbed split into time domains whose device models carry real work, on 1 and 2 lanes (threads),
 * with the same trace; and what the synchronisation costs (windows per simulated second, the same testbed
 * without domains on one lane). Rounds alternate 1 and 2 lanes so that a change in the machine's load hits both;
 * every run's trace hash must be the same or the figure fails.
 */
public final class DomainBench {
  private DomainBench() {}

  /**
   * @param wall1 best wall-clock seconds on 1 lane; {@code wall2} on 2
   * @param cpu1 process CPU seconds of the best 1-lane round; {@code cpu2} of the best 2-lane round
   * @param plainWall best wall seconds of the same testbed without domains (one lane, no windows)
   */
  public record Result(int cards, int taps, long durationNanos, int rounds, double wall1, double wall2, double cpu1,
      double cpu2, double plainWall, long windows, long barriers, long crossings, long deliveries,
      String traceSha256, double[] ratios, double loadBefore, double loadAfter) {
    public double speedup() {
      return wall1 / wall2;
    }

    public double windowsPerSimulatedSecond() {
      return windows / (durationNanos / 1e9);
    }

    /** Rounds of the 2-lane run handed to the second thread (a barrier each), per simulated second. */
    public double barriersPerSimulatedSecond() {
      return barriers / (durationNanos / 1e9);
    }

    /** The 2-lane over 1-lane wall ratio of each alternation (1 lane, then 2 lanes, same trace), in order. */
    public double medianRatio() {
      double[] r = ratios.clone();
      java.util.Arrays.sort(r);
      int m = r.length / 2;
      return r.length % 2 == 1 ? r[m] : (r[m - 1] + r[m]) / 2;
    }

    public double crossingsPerSimulatedSecond() {
      return crossings / (durationNanos / 1e9);
    }

    /** Domains on one lane over no domains: what the windows and links cost on one thread. */
    public double windowCost() {
      return wall1 / plainWall;
    }
  }

  /** The bench's testbed: {@code cards} sample cards filtering their samples, each in a domain of its own. */
  public static String scenario(int cards, int taps, long durationMicros, boolean domains) {
    StringBuilder sb = new StringBuilder();
    sb.append("scenario { name = \"domains-bench\", duration = ").append(durationMicros).append("us }\n");
    sb.append("machine { cpus = 4, irq-affinity = round-robin, lookahead = 20us }\n");
    sb.append("devices = [\n");
    for (int i = 0; i < cards; i++) {
      sb.append("  { type = sample-pcie, slot = \"0000:00:0").append(Integer.toHexString(2 + i))
          .append(".0\", interrupt-rate = 2000, filter-taps = ").append(taps).append(", adc-period = 16us }\n");
    }
    sb.append("]\ndrivers = [ { name = my_pcie, variant = safe } ]\n");
    if (domains) {
      sb.append("domains {\n");
      for (int i = 0; i < cards; i++) {
        sb.append("  card").append(i).append(" = { slots = [\"0000:00:0").append(Integer.toHexString(2 + i))
            .append(".0\"], link-latency = 500ns }\n");
      }
      sb.append("}\n");
    }
    return sb.toString();
  }

  public static Result run(int cards, int taps, long durationMicros, int rounds) {
    Scenario split = ScenarioLoader.parse("domains-bench.conf", scenario(cards, taps, durationMicros, true));
    Scenario plain = ScenarioLoader.parse("domains-bench-plain.conf", scenario(cards, taps, durationMicros, false));
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double best1 = Double.MAX_VALUE;
    double best2 = Double.MAX_VALUE;
    double bestPlain = Double.MAX_VALUE;
    double cpu1 = 0;
    double cpu2 = 0;
    String sha = null;
    Runner.Outcome last = null;
    long barriers = 0;
    double[] ratios = new double[rounds];
    double loadBefore = os.getSystemLoadAverage();
    try (SimHost host = SimHost.start("bench-domains", 1)) {
      // warm-up, not counted: three of each lane count (the first alternations ran visibly slower on 2 lanes while
      // the JIT was still compiling the hand-over path) and one without domains
      for (int w = 0; w < 3; w++) {
        once(host, split, 1);
        once(host, split, 2);
      }
      once(host, plain, 1);
      for (int r = 0; r < rounds; r++) {
        double wallOne = 0;
        for (int lanes : new int[] {1, 2}) {
          long cpu0 = os.getProcessCpuTime();
          long t0 = System.nanoTime();
          Runner.Outcome o = once(host, split, lanes);
          double wall = (System.nanoTime() - t0) / 1e9;
          double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
          if (sha == null) sha = o.traceSha256();
          if (!sha.equals(o.traceSha256())) {
            throw new IllegalStateException("domains bench: " + lanes + " lanes gave trace " + o.traceSha256()
                + ", another run " + sha);
          }
          if (lanes == 1) wallOne = wall;
          else ratios[r] = wallOne / wall;
          if (lanes == 2) barriers = o.domains().barriers();
          if (lanes == 1 && wall < best1) {
            best1 = wall;
            cpu1 = cpu;
          } else if (lanes == 2 && wall < best2) {
            best2 = wall;
            cpu2 = cpu;
          }
          last = o;
        }
        long t0 = System.nanoTime();
        once(host, plain, 1);
        bestPlain = Math.min(bestPlain, (System.nanoTime() - t0) / 1e9);
      }
    }
    return new Result(cards, taps, durationMicros * VirtualClock.MICROSECOND, rounds, best1, best2, cpu1, cpu2,
        bestPlain, last.domains().windows(), barriers, last.domains().crossings(), last.domains().choices(), sha,
        ratios, loadBefore, os.getSystemLoadAverage());
  }

  private static Runner.Outcome once(SimHost host, Scenario s, int lanes) {
    return Runner.run(host, 0, s, 7, Runner.Options.defaults().withStrategy(new RandomWalkStrategy())
        .withDomainThreads(lanes));
  }
}
