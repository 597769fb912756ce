package dev.devemu.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fault decisions as strategy choices ({@code +steer}): what each strategy answers, how a replay reads the answers
 * back, and that steering leaves the schedule's own draws alone.
 */
class SteeredFaultsTest {
  static final List<String> ACTORS = List.of("a", "b", "c");

  static SchedulingStrategy.FaultQuery query(long i, String point, double p) {
    return new SchedulingStrategy.FaultQuery(i, point, "test", p);
  }

  static PctStrategyTest.Point point(long step) {
    return new PctStrategyTest.Point(step, ACTORS, true);
  }

  @Test
  void plainStrategiesDoNotSteerAndSayWhyWhenAsked() {
    assertFalse(new RandomWalkStrategy().steersFaults());
    assertFalse(new PctStrategy(3, 100).steersFaults());
    assertFalse(new ReplayStrategy(List.of(), true).steersFaults());
    RandomWalkStrategy plain = new RandomWalkStrategy();
    plain.start(new SimRandom(1));
    assertThrows(UnsupportedOperationException.class, () -> plain.chooseFault(query(0, "kmalloc", 0.5)));
  }

  @Test
  void randomSteeringFailsWithThePlanProbabilityAndLeavesTheScheduleAlone() {
    RandomWalkStrategy steered = new RandomWalkStrategy(true);
    RandomWalkStrategy plain = new RandomWalkStrategy();
    steered.start(new SimRandom(5).fork("strategy"));
    plain.start(new SimRandom(5).fork("strategy"));
    int fails = 0;
    int asked = 0;
    for (int step = 0; step < 4000; step++) {
      assertEquals(plain.choose(point(step)), steered.choose(point(step)), "step " + step);
      if (step % 2 == 0) {
        asked++;
        if (steered.chooseFault(query(asked, "kmalloc", 0.25))) fails++;
      }
    }
    // 2000 draws at 0.25: 500 expected, sigma about 19
    assertTrue(fails > 400 && fails < 600, fails + " of " + asked);
  }

  @Test
  void pctFailsItsBudgetOfFaultStepsOnTopOfThePlanAndKeepsPlainPctsSchedule() {
    for (int depth = 1; depth <= 4; depth++) {
      int budget = Math.max(1, depth - 1);
      boolean[] hit = new boolean[10];
      for (long seed = 1; seed <= 200; seed++) {
        PctStrategy steered = PctStrategy.steeringFaults(depth, 300, 10);
        PctStrategy plain = new PctStrategy(depth, 300);
        steered.start(new SimRandom(seed));
        plain.start(new SimRandom(seed));
        int fails = 0;
        for (int step = 0; step < 300; step++) {
          assertEquals(plain.choose(point(step)), steered.choose(point(step)), "depth " + depth + " seed " + seed);
          if (step % 30 == 0) {
            int i = step / 30;
            // a probability so small that the plan's own draws never fail: only the fault steps do
            if (steered.chooseFault(query(i, i % 2 == 0 ? "kmalloc" : "usb_stall", 1e-12))) {
              fails++;
              hit[i] = true;
            }
          }
        }
        assertEquals(budget, fails, "depth " + depth + " seed " + seed + ": fault steps");
        assertEquals(10, steered.faultDecisions());
      }
      for (int i = 0; i < hit.length; i++) assertTrue(hit[i], "depth " + depth + ": decision " + i + " never failed");
    }
    assertEquals("pct:3:300+steer:10", PctStrategy.steeringFaults(3, 300, 10).name());

    // with a real probability the plan's draws fail too, on top of the steps
    PctStrategy steered = PctStrategy.steeringFaults(3, 300, 2000);
    steered.start(new SimRandom(9));
    int fails = 0;
    for (int i = 0; i < 2000; i++) if (steered.chooseFault(query(i, "kmalloc", 0.25))) fails++;
    assertTrue(fails > 400 && fails < 600, fails + " of 2000 at 0.25, plus 2 steps");
  }

  @Test
  void pctWithZeroFaultDecisionsLetsEveryCallPassAndCountsThem() {
    PctStrategy probe = PctStrategy.steeringFaults(1, 1, 0);
    probe.start(new SimRandom(1));
    for (int i = 0; i < 25; i++) assertFalse(probe.chooseFault(query(i, "kmalloc", 0.9)));
    assertEquals(25, probe.faultDecisions());
  }

  @Test
  void strictReplayMakesTheRecordedDecisionsAndFailsLoudlyWhenTheyDoNotFit() {
    List<String> choices = List.of("a", FaultChoices.id("kmalloc", true), FaultChoices.id("kmalloc", false), "b");
    ReplayStrategy r = new ReplayStrategy(choices, true, true);
    r.start(new SimRandom(1));
    assertTrue(r.steersFaults());
    assertEquals(0, r.choose(point(0)));
    assertTrue(r.chooseFault(query(0, "kmalloc", 0.1)));
    assertFalse(r.chooseFault(query(1, "kmalloc", 0.1)));
    assertEquals(1, r.choose(point(1)));

    ReplayStrategy other = new ReplayStrategy(choices, true, true);
    other.start(new SimRandom(1));
    other.choose(point(0));
    var e = assertThrows(ReplayStrategy.TraceDivergedException.class, () -> other.chooseFault(query(0, "usb_stall", 0.1)));
    assertTrue(e.getMessage().contains("fault decision 0 (usb_stall in test): recorded @fault:kmalloc:fail"),
        e.getMessage());

    // a decision the trace does not have, and a delivery where the trace has a decision
    ReplayStrategy missing = new ReplayStrategy(List.of("a", "b"), true, true);
    missing.start(new SimRandom(1));
    missing.choose(point(0));
    assertThrows(ReplayStrategy.TraceDivergedException.class, () -> missing.chooseFault(query(0, "kmalloc", 0.1)));
    ReplayStrategy skipped = new ReplayStrategy(choices, true, true);
    skipped.start(new SimRandom(1));
    skipped.choose(point(0));
    assertThrows(ReplayStrategy.TraceDivergedException.class, () -> skipped.choose(point(1)));
  }

  @Test
  void lenientReplayLetsACallWithoutItsDecisionPassAndSkipsDecisionsOfCallsThatDoNotHappen() {
    List<String> choices = List.of("a", FaultChoices.id("usb_stall", true), FaultChoices.id("kmalloc", true), "b",
        FaultChoices.id("kmalloc", true), "c");
    ReplayStrategy r = new ReplayStrategy(choices, false, true);
    r.start(new SimRandom(1));
    assertEquals(0, r.choose(point(0)));
    // the usb_stall call no longer happens: its entry is skipped, the kmalloc one is made
    assertTrue(r.chooseFault(query(0, "kmalloc", 0.1)));
    // a second kmalloc call in the same delivery has no entry: it passes, and the next delivery is still "b"
    assertFalse(r.chooseFault(query(1, "kmalloc", 0.1)));
    assertEquals(1, r.choose(point(1)));
    // the kmalloc call recorded after "b" does not happen: the scheduler skips its entry
    assertEquals(2, r.choose(point(2)));
    assertEquals(2, r.divergences());
    assertFalse(r.chooseFault(query(2, "kmalloc", 0.1)), "past the end of the trace every call passes");
  }

  @Test
  void aDomainReplayKeepsTheGuestsFaultDecisions() {
    List<String> choices = List.of("a", FaultChoices.id("kmalloc", true), "cam0|x");
    ReplayStrategy guest = new ReplayStrategy(choices, true, true).forDomain("cam0", true);
    guest.start(new SimRandom(1));
    assertTrue(guest.steersFaults());
    assertEquals(0, guest.choose(point(0)));
    assertTrue(guest.chooseFault(query(0, "kmalloc", 0.1)));
    assertFalse(new ReplayStrategy(choices, true, true).forDomain("cam0", false).steersFaults());
  }

  @Test
  void faultEntriesNameTheirPointAndAnswer() {
    String fail = FaultChoices.id("pci_enable_device", true);
    assertEquals("@fault:pci_enable_device:fail", fail);
    assertTrue(FaultChoices.isFault(fail));
    assertFalse(FaultChoices.isFault("@clock"));
    assertEquals("pci_enable_device", FaultChoices.point(fail));
    assertTrue(FaultChoices.failed(fail));
    assertEquals("@fault:pci_enable_device:pass", FaultChoices.passed(fail));
    assertFalse(FaultChoices.failed(FaultChoices.passed(fail)));
  }
}
