package dev.devemu.scenario;

import dev.devemu.sim.SimRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Swarm testing of the fault plan (Groce et al., ISSTA 2012): instead of every seed running the scenario's whole
 * fault plan with its written parameters, each seed draws its own variant of it — some fault kinds switched off,
 * the rest at other rates and times. One plan with every fault on at fixed rates explores a narrow band; a bug that
 * one fault kind hides (an allocation failure that keeps the driver from binding, a storm that ends the race early)
 * is found by the seeds that drew that kind off.
 *
 * <p>What a seed draws, each entry from its own stream {@code fork("swarm").fork(entry id)} of the run's generator
 * (so dropping one entry, as the shrinker does, leaves the others' draws alone):
 * <ul>
 *   <li>each {@code probability} point: on or off (½ each); if on, its probability times 2^u, u uniform in
 *       [-2, 2] (a quarter to four times), at most 1;
 *   <li>each recurring entry ({@code every}): on or off (½ each); if on, its mean interval times 2^u as above;
 *   <li>each fixed-time event: always kept (the events are the scenario's script — dropping the plug after an unplug
 *       would make another scenario), its time moved uniformly within a quarter of the gap to the previous and the
 *       next event (to 0 and to the end of the run at the ends), so the events keep their order; an event that
 *       waits for a life-cycle moment ({@code when}) keeps its time.
 * </ul>
 * A pure function of the plan, the run's duration and the seed: the same recipe gives the same plan in any JVM.
 */
public final class SwarmFaultPlan {
  private SwarmFaultPlan() {}

  /** The scenario with its fault plan replaced by the seed's swarm variant. */
  public static Scenario apply(Scenario s, long seed) {
    FaultPlan drawn = draw(s.faults(), s.durationNanos(), new SimRandom(seed).fork("swarm"));
    return new Scenario(s.file(), s.name(), s.description(), s.durationNanos(), s.machine(), s.kernel(), s.devices(),
        s.drivers(), drawn, s.workload(), s.source(), s.domains());
  }

  /** The plan's swarm variant under {@code swarm} (the run's generator forked as {@code "swarm"}). */
  public static FaultPlan draw(FaultPlan plan, long durationNanos, SimRandom swarm) {
    Map<String, Double> probabilities = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : new TreeMap<>(plan.probabilities()).entrySet()) {
      SimRandom r = swarm.fork("probability:" + e.getKey());
      if (!r.nextBoolean(0.5)) continue;
      probabilities.put(e.getKey(), Math.min(1.0, e.getValue() * scale(r)));
    }
    List<FaultPlan.Recurring> recurring = new ArrayList<>();
    for (FaultPlan.Recurring x : plan.recurring()) {
      SimRandom r = swarm.fork("recurring:" + x.line());
      if (!r.nextBoolean(0.5)) continue;
      long interval = Math.max(1, Math.round(x.meanIntervalNanos() * scale(r)));
      recurring.add(new FaultPlan.Recurring(x.action(), x.slot(), interval, x.restoreAfterNanos(), x.when(), x.params(),
          x.line()));
    }
    // Only clock-timed events move: one with a life-cycle moment (when = during-probe …) is timed by that moment,
    // and moving its "from" time past the moment would make it miss it (the first version did: pcie/unchecked-alloc's
    // fail-during-probe then waited for a re-probe). They still count as neighbours of the others.
    List<FaultPlan.Event> byTime = new ArrayList<>(plan.events());
    byTime.sort(Comparator.comparingLong(FaultPlan.Event::atNanos)); // stable: equal times keep the file's order
    Map<FaultPlan.Event, Long> moved = new java.util.IdentityHashMap<>();
    for (int i = 0; i < byTime.size(); i++) {
      FaultPlan.Event e = byTime.get(i);
      long at = e.atNanos();
      long before = i == 0 ? at : at - byTime.get(i - 1).atNanos();
      long after = i == byTime.size() - 1 ? Math.max(0, durationNanos - at) : byTime.get(i + 1).atNanos() - at;
      long lo = at - before / 4;
      long hi = at + after / 4;
      long t = e.when() == null && hi > lo ? lo + swarm.fork("event:" + e.line()).nextLong(hi - lo + 1) : at;
      moved.put(e, t);
    }
    List<FaultPlan.Event> events = new ArrayList<>();
    for (FaultPlan.Event e : plan.events()) {
      events.add(new FaultPlan.Event(moved.get(e), e.when(), e.action(), e.slot(), e.params(), e.restoreAfterNanos(),
          e.line()));
    }
    return new FaultPlan(Map.copyOf(probabilities), List.copyOf(events), List.copyOf(recurring));
  }

  /** 2^u with u uniform in [-2, 2]: from a quarter to four times. */
  private static double scale(SimRandom r) {
    return Math.pow(2, r.nextDouble() * 4 - 2);
  }

  /** One line for the run's output: which fault kinds this seed kept, at what rates, and where the events went. */
  public static String describe(FaultPlan original, FaultPlan drawn) {
    StringBuilder sb = new StringBuilder("swarm fault plan:");
    for (String point : new TreeMap<>(original.probabilities()).keySet()) {
      Double p = drawn.probabilities().get(point);
      sb.append(' ').append(point).append('=').append(p == null ? "off" : String.format("%.4g", p));
    }
    for (FaultPlan.Recurring r : original.recurring()) {
      FaultPlan.Recurring d = drawn.recurring().stream().filter(x -> x.line() == r.line()).findFirst().orElse(null);
      sb.append(" every(line ").append(r.line()).append(")=")
          .append(d == null ? "off" : String.format("%.3gms", d.meanIntervalNanos() / 1e6));
    }
    for (FaultPlan.Event e : drawn.events()) {
      sb.append(" event(line ").append(e.line()).append(")@").append(String.format("%.3fms", e.atNanos() / 1e6));
    }
    return sb.toString();
  }
}
