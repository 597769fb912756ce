package dev.devemu.scenario;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.sim.SimRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a seed's swarm variant of a fault plan may be: a function of the seed, within the documented ranges. */
class SwarmFaultPlanTest {
  static final String PLAN = """
      scenario { name = "swarm", duration = 20ms }
      machine { cpus = 2 }
      devices = [ { type = usb-bulk, slot = "1-1", speed = super-plus, data-rate = 100000000 } ]
      drivers = [ { name = my_usb, variant = raw } ]
      faults {
        probability { kmalloc = 0.2, usb_stall = 0.01 }
        events = [
          { at = 4ms, action = unplug, slot = "1-1", restore-after = 1ms }
          { at = 8ms, action = unplug, slot = "1-1" }
          { at = 8ms, action = plug, slot = "1-1" }
          { at = 12ms, action = surprise-unplug, slot = "1-1" }
          { at = 1ms, when = during-probe, action = surprise-unplug, slot = "1-1" }
        ]
        recurring = [ { action = unplug, slot = "1-1", mean-interval = 2ms, restore-after = 100us } ]
      }
      """;

  @Test
  void eachSeedDrawsItsOwnPlanTheSameEveryTimeWithinTheDocumentedRanges() {
    Scenario s = ScenarioLoader.parse("swarm.conf", PLAN);
    FaultPlan base = s.faults();
    int kmallocOn = 0;
    int recurringOn = 0;
    Set<String> distinct = new HashSet<>();
    for (long seed = 1; seed <= 400; seed++) {
      FaultPlan p = SwarmFaultPlan.apply(s, seed).faults();
      assertEquals(p, SwarmFaultPlan.apply(s, seed).faults(), "seed " + seed + " drew two plans");
      distinct.add(SwarmFaultPlan.describe(base, p));
      Double k = p.probabilities().get("kmalloc");
      if (k != null) {
        kmallocOn++;
        assertTrue(k >= 0.2 / 4 - 1e-12 && k <= 0.8 + 1e-12, "kmalloc " + k);
      }
      if (!p.recurring().isEmpty()) {
        recurringOn++;
        long interval = p.recurring().get(0).meanIntervalNanos();
        assertTrue(interval >= 500_000 && interval <= 8_000_000, "interval " + interval);
      }
      // every event is kept, in the file's order, and the events keep their order in time
      List<FaultPlan.Event> e = p.events();
      assertEquals(base.events().stream().map(FaultPlan.Event::line).toList(),
          e.stream().map(FaultPlan.Event::line).toList());
      assertEquals(base.events().get(4), e.get(4), "an event that waits for a moment keeps its time");
      for (int i = 1; i < 4; i++) assertTrue(e.get(i - 1).atNanos() <= e.get(i).atNanos(), p.toString());
      // its neighbours are the during-probe unplug from 1ms (before) and the unplug at 8ms (after)
      assertTrue(e.get(0).atNanos() >= 3_250_000 && e.get(0).atNanos() <= 5_000_000, p.toString());
      assertTrue(e.get(3).atNanos() >= 11_000_000 && e.get(3).atNanos() <= 14_000_000, p.toString());
      assertEquals(base.events().get(0).restoreAfterNanos(), e.get(0).restoreAfterNanos());
    }
    // each kind is off on about half the seeds (binomial(400, 1/2): 200 ± 20 is beyond 4 sigma)
    assertTrue(kmallocOn > 160 && kmallocOn < 240, "kmalloc on in " + kmallocOn + " of 400");
    assertTrue(recurringOn > 160 && recurringOn < 240, "recurring on in " + recurringOn + " of 400");
    assertTrue(distinct.size() > 390, distinct.size() + " distinct plans of 400");
  }

  @Test
  void droppingOneEntryLeavesTheOthersDrawsAlone() {
    Scenario s = ScenarioLoader.parse("swarm.conf", PLAN);
    FaultPlan base = s.faults();
    FaultPlan withoutStall = new FaultPlan(java.util.Map.of("kmalloc", 0.2), base.events(), base.recurring());
    for (long seed = 1; seed <= 50; seed++) {
      SimRandom r = new SimRandom(seed).fork("swarm");
      FaultPlan all = SwarmFaultPlan.draw(base, s.durationNanos(), r);
      FaultPlan fewer = SwarmFaultPlan.draw(withoutStall, s.durationNanos(), new SimRandom(seed).fork("swarm"));
      assertEquals(all.probabilities().get("kmalloc"), fewer.probabilities().get("kmalloc"));
      assertEquals(all.recurring(), fewer.recurring());
      assertEquals(all.events(), fewer.events());
    }
  }
}
