package dev.devemu.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.DeliveryTrace;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.ReplayStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.VirtualClock;
import dev.devemu.sim.domain.DomainLosses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A lost time domain (docs/domains.md, "A lost domain"): the guest sees a surprise removal — URBs in flight fail
 * with -EPROTO, MMIO reads in flight end in a completion timeout — the run finishes, the trace is the same on 1
 * and 2 lanes, and a replay of the trace alone loses the domain at the same round (also a loss the scenario does
 * not script, as a node layer declares it).
 */
class DomainLossTest {
  private static SimHost host;

  @BeforeAll
  static void start() {
    host = SimHost.start("domain-loss-test", 1);
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  private static Runner.Options options(int lanes, Runner.TraceMode mode) {
    return Runner.Options.defaults().withStrategy(new RandomWalkStrategy()).withTrace(mode).withDomainThreads(lanes);
  }

  private static Runner.Outcome replay(Scenario s, long seed, DeliveryTrace trace, int lanes) {
    return Runner.run(host, 0, s, seed, Runner.Options.defaults()
        .withStrategy(new ReplayStrategy(trace.choices(), true)).withTrace(Runner.TraceMode.KEEP)
        .withDomainThreads(lanes));
  }

  private static long count(DeliveryTrace t, String text) {
    return t.deliveries().stream().filter(d -> d.message().contains(text) || d.actor().contains(text)).count();
  }

  /** Kernel log lines at or after the line containing {@code from}. */
  private static List<String> logFrom(Runner.Outcome o, String from) {
    List<String> log = o.result().kernelLog();
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i).contains(from)) return log.subList(i, log.size());
    }
    return List.of();
  }

  /** usb-remote-lost.conf: URBs in flight fail with -EPROTO, the hub notices, the run finishes; one trace. */
  @Test
  void aLostUsbDomainFailsTheUrbsInFlightAndReplays() throws Exception {
    Scenario s = ScenarioLoader.load(Path.of("..", "scenarios", "usb-remote-lost.conf"))
        .withDuration(170 * VirtualClock.MILLISECOND);
    for (long seed = 1; seed <= 2; seed++) {
      Runner.Outcome one = Runner.run(host, 0, s, seed, options(1, Runner.TraceMode.KEEP));
      Runner.Outcome two = Runner.run(host, 0, s, seed, options(2, Runner.TraceMode.HASH));
      assertEquals(one.traceSha256(), two.traceSha256(), "seed " + seed + ": 1 vs 2 lanes");
      assertEquals(one.result(), two.result());
      assertEquals("completed", one.result().outcome(), "the run goes on and finishes");
      assertEquals(1, one.result().hotplugEvents(), "one surprise removal: the domain's one device");
      List<String> after = logFrom(one, "time domain usb1 lost");
      assertFalse(after.isEmpty(), "the loss is in the kernel log: " + one.result().kernelLog());
      assertTrue(after.stream().anyMatch(l -> l.contains("URB completed with status -71")),
          "URBs in flight at the loss fail with -EPROTO: " + after);
      assertTrue(after.stream().anyMatch(l -> l.contains("USB disconnect")), "the hub notices: " + after);
      assertEquals(1, count(one.trace(), DomainLosses.RECORD_PREFIX + "usb1@"), "the loss is recorded");
      Runner.Outcome again = replay(s, seed, one.trace(), 2);
      assertEquals(one.traceSha256(), again.traceSha256(), "seed " + seed + ": the trace replays");
      assertEquals(one.result(), again.result());
    }
  }

  /**
   * A loss no scenario scripts, as a node layer's failure detector declares it between two rounds: recorded in the
   * trace, and a replay of the trace on one JVM (with a scenario that knows nothing of it) loses the domain at the
   * same round and gives the same report and trace.
   */
  @Test
  void aLossDeclaredBetweenRoundsIsReplayedFromTheTraceAlone() {
    Scenario s = ScenarioLoader.load(Path.of("..", "scenarios", "usb-remote.conf"));
    Scenario noFaults = dev.devemu.replay.RunRecipe.withFaults(s, dev.devemu.scenario.FaultPlan.NONE)
        .withDuration(120 * VirtualClock.MILLISECOND);
    assertEquals(s.domains(), noFaults.domains(), "a scenario with other faults keeps its domains");
    long seed = 3;
    DomainLosses losses = DomainLosses.none();
    losses.detector((round, boundary, l) -> {
      // as a node layer whose barrier after round 300 lacks the results of usb1's node
      if (round == 300) l.lose("usb1", "node n2 stopped answering");
    });
    Runner.Outcome lost = Runner.run(host, 0, noFaults, seed, options(2, Runner.TraceMode.KEEP), k -> {}, losses);
    assertEquals(1, losses.losses().size(), "the loss took effect: " + losses.losses());
    DomainLosses.Loss l = losses.losses().get(0);
    assertEquals(300, l.round());
    assertTrue(l.guestNanos() >= l.boundaryNanos(), l.toString());
    assertEquals("completed", lost.result().outcome());
    assertEquals(1, lost.result().hotplugEvents());
    assertEquals(1, count(lost.trace(), DomainLosses.recordActor("usb1", 300)));

    Runner.Outcome plain = Runner.run(host, 0, noFaults, seed, options(1, Runner.TraceMode.HASH));
    assertFalse(plain.traceSha256().equals(lost.traceSha256()), "the loss changed the run");
    assertEquals(0, plain.result().hotplugEvents());

    for (int lanes = 1; lanes <= 2; lanes++) {
      Runner.Outcome again = replay(noFaults, seed, lost.trace(), lanes);
      for (int i = 0; i < Math.min(lost.trace().deliveries().size(), again.trace().deliveries().size()); i++) {
        if (!lost.trace().deliveries().get(i).equals(again.trace().deliveries().get(i))) {
          System.err.println("DIVERGE at " + i + ": " + lost.trace().deliveries().subList(Math.max(0, i - 3), i + 3)
              + "\n vs " + again.trace().deliveries().subList(Math.max(0, i - 3), i + 3));
          break;
        }
      }
      assertEquals(lost.traceSha256(), again.traceSha256(), lanes + " lanes: the replay loses usb1 at round 300");
      assertEquals(lost.result(), again.result());
    }
  }

  /**
   * The same through the command line: the trace file of a run whose loss a node layer declared (the scenario
   * scripts none) replays with {@code ./devemu replay TRACE --lanes 1}: same trace, exit 0.
   */
  @Test
  void replayOfADeclaredLossReproducesOnTheCommandLine(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path file = Path.of("..", "scenarios", "usb-remote.conf");
    int line = ScenarioLoader.load(file).faults().events().get(0).line();
    dev.devemu.replay.RunRecipe recipe = new dev.devemu.replay.RunRecipe(file.toString(), Files.readString(file), 2,
        null, dev.devemu.replay.StrategySpec.RANDOM, 100 * VirtualClock.MILLISECOND, false, List.of("event:" + line),
        null, false);
    Scenario s = recipe.scenario();
    assertTrue(s.faults().events().isEmpty() && !s.domains().isEmpty(), "no scripted fault, still domains");
    DomainLosses losses = DomainLosses.none();
    losses.detector((round, boundary, l) -> {
      if (round == 200) l.lose("usb1", "node n2 lost");
    });
    Runner.Outcome lost = Runner.run(host, 0, s, recipe.seed(), options(2, Runner.TraceMode.KEEP), k -> {}, losses);
    assertEquals(1, lost.result().hotplugEvents());
    Path trace = tmp.resolve("lost.pb");
    TraceFile.write(trace, recipe.toTrace(lost.traceSha256(), lost.trace().deliveries(), false));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int code = dev.devemu.cli.Main.execute(new picocli.CommandLine(new dev.devemu.cli.Main()),
        new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
        new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8), "replay", trace.toString(),
        "--lanes", "1");
    String text = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, code, text + err.toString(java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(text.contains("replay: reproduced: same trace sha256 " + lost.traceSha256()), text);
  }

  /**
   * MMIO reads in flight at the loss: a PCIe link of 2 ms makes every read of the card take 4 ms, so the card's
   * domain, lost during probe, has a read in flight; the root port's completion timeout answers it (all ones),
   * later reads are completed at once as unsupported requests, and the run finishes on 1 and 2 lanes alike.
   */
  @Test
  void anMmioReadInFlightAtTheLossEndsInACompletionTimeout() {
    String text = """
        scenario { name = "lost-read", duration = 80ms }
        machine { cpus = 2, hotplug-detection = 1ms }
        devices = [ { type = sample-pcie, slot = "0000:00:02.0", revision = 2, interrupt-rate = 2000 } ]
        drivers = [ { name = my_pcie, variant = safe } ]
        faults { events = [ { at = 11ms, action = lose-domain, domain = card0 } ] }
        domains { card0 = { slots = ["0000:00:02.0"], link-latency = 2ms } }
        """;
    Scenario s = ScenarioLoader.parse("lost-read.conf", text);
    for (long seed = 1; seed <= 2; seed++) {
      Runner.Outcome one = Runner.run(host, 0, s, seed, options(1, Runner.TraceMode.KEEP));
      Runner.Outcome two = Runner.run(host, 0, s, seed, options(2, Runner.TraceMode.HASH));
      assertEquals(one.traceSha256(), two.traceSha256(), "seed " + seed);
      assertEquals(one.result(), two.result());
      assertTrue(count(one.trace(), "completion timeout MmioRead") >= 1,
          "a read was in flight at the loss and timed out: " + one.result().kernelLog());
      assertTrue(count(one.trace(), "unreachable MmioRead") >= 1,
          "reads after the loss (the driver's remove) are completed by the dead link's port");
      assertTrue(one.result().virtualNanos() >= 80 * VirtualClock.MILLISECOND, "the run finished, no hang");
      assertEquals(1, one.result().hotplugEvents());
      Runner.Outcome again = replay(s, seed, one.trace(), 1);
      assertEquals(one.traceSha256(), again.traceSha256());
    }
  }

  /**
   * A read the lost card had received but not answered (it was stalled: its own completion timer was to answer it)
   * is answered by the link's completion timeout all the same: no read waits forever.
   */
  @Test
  void aReadTheLostCardHeldIsAnsweredToo() {
    String text = """
        scenario { name = "lost-stalled", duration = 150ms }
        machine { cpus = 2, hotplug-detection = 1ms }
        kernel { hung-task-timeout = 60ms }
        devices = [ { type = sample-pcie, slot = "0000:00:02.0", revision = 2, interrupt-rate = 2000 } ]
        drivers = [ { name = my_pcie, variant = safe } ]
        faults { events = [ { at = 10ms, action = stall, slot = "0000:00:02.0" }
                            { at = 20ms, action = lose-domain, domain = card0 } ] }
        domains { card0 = { slots = ["0000:00:02.0"], link-latency = 2ms } }
        """;
    Scenario s = ScenarioLoader.parse("lost-stalled.conf", text);
    Runner.Outcome one = Runner.run(host, 0, s, 1, options(1, Runner.TraceMode.KEEP));
    Runner.Outcome two = Runner.run(host, 0, s, 1, options(2, Runner.TraceMode.HASH));
    assertEquals(one.traceSha256(), two.traceSha256());
    // the stalled card received a read before it was lost (the link delivered it: in card0's trace) ...
    List<DeliveryTrace.Delivery> held = one.trace().deliveries().stream()
        .filter(d -> d.actor().equals("card0|@clock") && d.message().startsWith("link guest>card0 MmioRead")
            && d.timeNanos() > 12 * VirtualClock.MILLISECOND && d.timeNanos() < 20 * VirtualClock.MILLISECOND)
        .toList();
    assertEquals(1, held.size(), "a read reached the stalled card: " + one.result().kernelLog());
    String read = held.get(0).message().substring("link guest>card0 ".length());
    // ... and never answered it: the link's completion timeout does
    assertEquals(1, one.trace().deliveries().stream()
        .filter(d -> d.message().equals("link card0>guest completion timeout " + read)).count(), read);
    assertEquals(List.of(), one.result().oopses(), "no read waits forever (no hung task)");
    assertTrue(one.result().virtualNanos() >= 150 * VirtualClock.MILLISECOND, "the run finished");
  }

  /** pcie-domains-lost.conf: raw drivers trip over the lost card and camera, safe ones run clean; one trace. */
  @Test
  void lostPcieDomainsBreakRawDriversAndNotSafeOnes() {
    Scenario s = ScenarioLoader.load(Path.of("..", "scenarios", "pcie-domains-lost.conf"));
    Runner.Outcome raw = Runner.run(host, 0, s, 1, options(2, Runner.TraceMode.HASH));
    assertEquals(1, raw.result().oopses().size(), "raw my_pcie meets the lost card: " + raw.result().outcome());
    Runner.Outcome raw1 = Runner.run(host, 0, s, 1, options(1, Runner.TraceMode.HASH));
    assertEquals(raw.traceSha256(), raw1.traceSha256());
    Scenario safe = s.withVariant(dev.devemu.kernel.Variant.SAFE);
    Runner.Outcome clean = Runner.run(host, 0, safe, 1, options(2, Runner.TraceMode.HASH));
    assertEquals("completed", clean.result().outcome());
    assertEquals(0, clean.result().oopses().size(), clean.result().oopses().toString());
    assertEquals(2, clean.result().hotplugEvents(), "card0 and cam0 were surprise-removed");
  }

  /** A trace that records the loss of a domain its scenario does not have does not fit: it diverges, loudly. */
  @Test
  void aRecordedLossOfAnUnknownDomainDoesNotReplay() {
    Scenario s = ScenarioLoader.load(Path.of("..", "scenarios", "usb-remote.conf"))
        .withDuration(5 * VirtualClock.MILLISECOND);
    ReplayStrategy.TraceDivergedException e = assertThrows(ReplayStrategy.TraceDivergedException.class,
        () -> Runner.run(host, 0, s, 1, Runner.Options.defaults()
            .withStrategy(new ReplayStrategy(List.of("@boot", DomainLosses.recordActor("usb7", 3)), false))
            .withTrace(Runner.TraceMode.HASH)));
    assertTrue(e.getMessage().contains("@lost|usb7@3") && e.getMessage().contains("usb1"), e.getMessage());
  }

  @Test
  void aLostDomainMustBeDeclared() throws Exception {
    String base = """
        scenario { name = "bad-loss", duration = 10ms }
        devices = [ { type = sample-pcie, slot = "0000:00:02.0" } ]
        drivers = [ { name = my_pcie } ]
        """;
    ScenarioException unknown = assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("bad.conf", base
        + "faults { events = [ { at = 1ms, action = lose-domain, domain = card9 } ] }\n"
        + "domains { card0 = { slots = [\"0000:00:02.0\"] } }\n"));
    assertTrue(unknown.getMessage().startsWith(
        "bad.conf:4: faults.events[0].domain: no time domain \"card9\" (domains: card0)"),
        unknown.getMessage());
    ScenarioException none = assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("bad.conf", base
        + "faults { events = [ { at = 1ms, action = lose-domain, domain = card0 } ] }\n"));
    assertTrue(none.getMessage().contains("declares no domains block"), none.getMessage());
    ScenarioException guest = assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("bad.conf", base
        + "faults { events = [ { at = 1ms, action = lose-domain, domain = guest } ] }\n"
        + "domains { card0 = { slots = [\"0000:00:02.0\"] } }\n"));
    assertTrue(guest.getMessage().contains("guest's domain cannot be lost"), guest.getMessage());
    ScenarioException slot = assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("bad.conf", base
        + "faults { events = [ { at = 1ms, action = lose-domain, slot = \"0000:00:02.0\" } ] }\n"
        + "domains { card0 = { slots = [\"0000:00:02.0\"] } }\n"));
    assertTrue(slot.getMessage().startsWith("bad.conf:4: faults.events[0].slot: lose-domain acts on a time domain"),
        slot.getMessage());
    ScenarioException recurring = assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("bad.conf", base
        + "faults { recurring = [ { mean-interval = 1ms, action = lose-domain, domain = card0 } ] }\n"
        + "domains { card0 = { slots = [\"0000:00:02.0\"] } }\n"));
    assertTrue(recurring.getMessage().contains("does not come back"), recurring.getMessage());
    assertTrue(Files.exists(Path.of("..", "scenarios", "usb-remote-lost.conf")));
  }
}
