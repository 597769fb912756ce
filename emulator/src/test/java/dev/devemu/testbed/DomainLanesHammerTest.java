package dev.devemu.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.VirtualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Many seeds of scenarios/pcie-domains.conf and scenarios/usb-remote.conf on 1, 2 and 3 lanes: every seed gives
 * one trace on any number of lanes (however the rounds are placed on threads, DomainRun.Workers), no run trips
 * the link invariant (a crossing due before its receiver's horizon stops the run), and the 1-lane hashes of all
 * seeds together are pinned: any change to the horizons, the rounds or the canonical order changes them (the
 * digest was computed before the barrier work of branch {@code rounds}, on {@code e3c7333}).
 */
class DomainLanesHammerTest {
  private static SimHost host;

  @BeforeAll
  static void start() {
    host = SimHost.start("domain-hammer-test", 1);
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  private static String hammer(Scenario scenario, int seeds, boolean random) throws Exception {
    MessageDigest all = MessageDigest.getInstance("SHA-256");
    Set<String> distinct = new HashSet<>();
    for (long seed = 1; seed <= seeds; seed++) {
      String first = null;
      for (int lanes = 1; lanes <= 3; lanes++) {
        Runner.Options o = Runner.Options.defaults().withDomainThreads(lanes).withTrace(Runner.TraceMode.HASH);
        if (random) o = o.withStrategy(new RandomWalkStrategy());
        Runner.Outcome out = Runner.run(host, 0, scenario, seed, o);
        assertTrue(out.domains() != null && out.domains().windows() > 0, "a domain run: " + out.domains());
        if (first == null) {
          first = out.traceSha256();
          all.update((seed + "=" + first + "\n").getBytes(StandardCharsets.UTF_8));
          distinct.add(first);
        } else {
          assertEquals(first, out.traceSha256(), scenario.name() + " seed " + seed + ": 1 vs " + lanes + " lanes");
        }
      }
    }
    assertTrue(distinct.size() >= seeds / 2, scenario.name() + ": seeds give different traces: " + distinct.size());
    return HexFormat.of().formatHex(all.digest());
  }

  @Test
  void pcieDomainsManySeedsOneTraceOnOneTwoAndThreeLanes() throws Exception {
    Scenario s = ScenarioLoader.load(Path.of("..", "scenarios", "pcie-domains.conf"))
        .withDuration(4 * VirtualClock.MILLISECOND);
    assertEquals(PCIE_DIGEST, hammer(s, 12, true), "the 1-lane traces of seeds 1..12 changed");
  }

  @Test
  void usbRemoteManySeedsOneTraceOnOneTwoAndThreeLanes() throws Exception {
    Scenario s = ScenarioLoader.load(Path.of("..", "scenarios", "usb-remote.conf"))
        .withDuration(160 * VirtualClock.MILLISECOND);
    assertEquals(USB_DIGEST, hammer(s, 6, false), "the 1-lane traces of seeds 1..6 changed");
  }

  /**
   * The domains bench's testbed, its ADCs converting every 2 us (DSP cards, each in a domain of its own): the
   * conversions are local timers, so a round spans many of them (with each conversion a possible send, every one
   * would be a round of its own: at least 2,000 here), and the trace is the same on any number of lanes for
   * several seeds.
   */
  @Test
  void dspCardsConvertManyTimesPerRoundAndGiveOneTraceOnAnyLanes() {
    Scenario s = ScenarioLoader.parse("domains-bench.conf", dev.devemu.bench.DomainBench.scenario(4, 64, 4_000, true)
        .replace("adc-period = 16us", "adc-period = 2us"));
    long conversionsPerCard = 4_000 / 2;
    for (long seed = 1; seed <= 4; seed++) {
      String first = null;
      for (int lanes = 1; lanes <= 3; lanes++) {
        Runner.Outcome out = Runner.run(host, 0, s, seed, Runner.Options.defaults()
            .withStrategy(new RandomWalkStrategy()).withDomainThreads(lanes).withTrace(Runner.TraceMode.HASH));
        assertEquals("completed", out.result().outcome());
        assertTrue(out.domains().windows() < conversionsPerCard / 4,
            "seed " + seed + ": far fewer rounds than one card's ADC conversions: " + out.domains());
        if (lanes > 1) assertTrue(out.domains().barriers() <= out.domains().windows(), out.domains().toString());
        if (first == null) first = out.traceSha256();
        else assertEquals(first, out.traceSha256(), "seed " + seed + ": 1 vs " + lanes + " lanes");
      }
    }
  }

  private static final String PCIE_DIGEST = "2fdcf6ee234dda15d1201581faccb03a750af76ed6cce4481fec683917d53e9a";
  private static final String USB_DIGEST = "5a3f489501791f759975341fce2d0574ba0de3bac9806864ca303f9d8feb99aa";
}
