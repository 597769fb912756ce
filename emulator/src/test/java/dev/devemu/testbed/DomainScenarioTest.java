package dev.devemu.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.ReplayStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.VirtualClock;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * scenarios/pcie-domains.conf (two cards and a camera, each in a time domain of its own) gives one trace on one
 * thread, two and three; seeds give different traces; a recorded trace replays; bad domain blocks are refused
 * with file, line and key.
 */
class DomainScenarioTest {
  private static SimHost host;
  private static Scenario scenario;

  @BeforeAll
  static void start() {
    host = SimHost.start("domain-scenario-test", 1);
    scenario = ScenarioLoader.load(Path.of("..", "scenarios", "pcie-domains.conf"))
        .withDuration(12 * VirtualClock.MILLISECOND);
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  private static Runner.Outcome run(long seed, int lanes, Runner.TraceMode mode) {
    return Runner.run(host, 0, scenario, seed, Runner.Options.defaults().withStrategy(new RandomWalkStrategy())
        .withTrace(mode).withDomainThreads(lanes));
  }

  @Test
  void oneTwoAndThreeLanesGiveOneTrace() {
    Set<String> distinct = new HashSet<>();
    for (long seed = 1; seed <= 3; seed++) {
      Runner.Outcome one = run(seed, 1, Runner.TraceMode.HASH);
      Runner.Outcome two = run(seed, 2, Runner.TraceMode.HASH);
      Runner.Outcome three = run(seed, 3, Runner.TraceMode.HASH);
      assertEquals(one.traceSha256(), two.traceSha256(), "seed " + seed + ": 1 vs 2 lanes");
      assertEquals(one.traceSha256(), three.traceSha256(), "seed " + seed + ": 1 vs 3 lanes");
      assertEquals(one.result(), two.result(), "seed " + seed + ": same report");
      assertEquals("completed", one.result().outcome());
      assertNotNull(one.domains());
      assertTrue(one.domains().crossings() > 100, "cards and camera talk over their links: " + one.domains());
      assertTrue(one.result().exposureNanos().keySet().containsAll(java.util.List.of("my_pcie/safe", "ipu6_isys/safe")),
          "both drivers bound across the links: " + one.result().exposureNanos());
      distinct.add(one.traceSha256());
    }
    assertTrue(distinct.size() >= 2, "seeds give different traces");
  }

  /** usb-remote.conf: the USB device behind a 125 us link, unplugged with URBs in flight; one trace for any lanes. */
  @Test
  void aUsbDeviceInItsOwnDomainGivesOneTraceOnAnyLanes() {
    Scenario usb = ScenarioLoader.load(Path.of("..", "scenarios", "usb-remote.conf"))
        .withDuration(170 * VirtualClock.MILLISECOND);
    for (long seed = 1; seed <= 2; seed++) {
      Runner.Outcome one = Runner.run(host, 0, usb, seed, Runner.Options.defaults().withDomainThreads(1));
      Runner.Outcome two = Runner.run(host, 0, usb, seed, Runner.Options.defaults().withDomainThreads(2));
      assertEquals(one.traceSha256(), two.traceSha256(), "seed " + seed);
      assertEquals(one.result(), two.result());
      assertTrue(one.domains().crossings() > 100, "URBs crossed the USB link: " + one.domains());
      assertEquals(1, one.result().hotplugEvents(), "the surprise unplug happened");
    }
  }

  @Test
  void aDomainTraceReplaysOnOneLane() {
    Runner.Outcome recorded = run(5, 2, Runner.TraceMode.KEEP);
    Runner.Outcome replayed = Runner.run(host, 0, scenario, 5, Runner.Options.defaults()
        .withStrategy(new ReplayStrategy(recorded.trace().choices(), true)).withTrace(Runner.TraceMode.HASH));
    assertEquals(recorded.traceSha256(), replayed.traceSha256());
    assertEquals(recorded.result(), replayed.result());
  }

  /**
   * An MMIO read from a CPU to card0 crosses the PCIe link (500 ns) to the card and its completion crosses back:
   * each completion reaches the guest at least one latency after the read reached the card, so the reading CPU
   * stalls for the round trip. Reads to one card are answered in order, so they pair up first-in first-out.
   */
  @Test
  void mmioReadsToAnotherDomainTakeTheRoundTrip() {
    Runner.Outcome o = run(2, 2, Runner.TraceMode.KEEP);
    java.util.ArrayDeque<Long> readsAtCard = new java.util.ArrayDeque<>();
    int completions = 0;
    for (dev.devemu.sim.DeliveryTrace.Delivery d : o.trace().deliveries()) {
      if (d.actor().equals("card0|@clock") && d.message().startsWith("link guest>card0 MmioRead(")) {
        assertTrue(d.timeNanos() >= 500, "a read reaches the card one link latency after boot at the earliest");
        readsAtCard.add(d.timeNanos());
      } else if (d.actor().equals("@clock") && d.message().startsWith("link card0>guest MmioReadCompleted")) {
        Long arrived = readsAtCard.poll();
        assertNotNull(arrived, "a completion without a read: " + d);
        assertTrue(d.timeNanos() >= arrived + 500, "completion at " + d.timeNanos() + " for a read at the card at "
            + arrived + ": shorter than the link's latency");
        completions++;
      }
    }
    assertTrue(completions > 20, "card0 was read across its link: " + completions + " completions");
  }

  @Test
  void withoutDomainsTheScenarioRunsOnOneLaneAsBefore() {
    String text = scenario.source();
    String plain = text.substring(0, text.indexOf("domains {"));
    Scenario one = ScenarioLoader.parse("plain.conf", plain).withDuration(12 * VirtualClock.MILLISECOND);
    Runner.Outcome o = Runner.run(host, 0, one, 1, Runner.Options.defaults().withDomainThreads(2));
    assertEquals(null, o.domains(), "no domains declared: the plain lane path");
    assertEquals("completed", o.result().outcome());
  }

  private static ScenarioException bad(String domains) {
    String text = scenario.source();
    return assertThrows(ScenarioException.class,
        () -> ScenarioLoader.parse("bad.conf", text.substring(0, text.indexOf("domains {")) + domains));
  }

  @Test
  void badDomainBlocksAreRefusedWithTheirKey() {
    ScenarioException e = bad("domains {\n  cam0 = { slots = [\"0000:00:09.0\"] }\n}\n");
    assertEquals("domains.cam0.slots", e.key(), e.getMessage());
    assertTrue(e.getMessage().contains("no device of this scenario is in slot 0000:00:09.0"), e.getMessage());
    assertTrue(e.line() > 0, e.getMessage());

    e = bad("domains {\n  guest = { slots = [\"0000:00:02.0\"] }\n}\n");
    assertEquals("domains.guest", e.key());

    e = bad("domains {\n  a = { slots = [\"0000:00:02.0\"] }\n  b = { slots = [\"0000:00:02.0\"] }\n}\n");
    assertTrue(e.getMessage().contains("already in domain a"), e.getMessage());

    e = bad("domains {\n  a = { slots = [\"0000:00:02.0\"], link-latency = 0ns }\n}\n");
    assertEquals("domains.a.link-latency", e.key(), e.getMessage());

    e = bad("domains {\n  a = { slots = [\"0000:00:02.0\"], latency = 1us }\n}\n");
    assertEquals("domains.a.latency", e.key(), e.getMessage());

    e = bad("domains {\n  a = { slots = [] }\n}\n");
    assertEquals("domains.a.slots", e.key(), e.getMessage());
  }
}
