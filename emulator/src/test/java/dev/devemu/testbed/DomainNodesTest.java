package dev.devemu.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.VirtualClock;
import dev.devemu.sim.domain.DomainRun;
import dev.devemu.sim.domain.InProcessDomains;
import dev.devemu.sim.domain.RemoteDomains;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Time domains hosted by other actor systems (the round protocol of nodes, without the network): the guest on one
 * SimHost, device domains on others, every crossing a LinkFrame and every actor found by path in the other system.
 * The trace is the one of the same run in one JVM, on one lane.
 */
class DomainNodesTest {
  private static SimHost guestHost;
  private static SimHost nodeB;
  private static SimHost nodeC;

  @BeforeAll
  static void start() {
    guestHost = SimHost.start("domain-nodes-guest", 1);
    nodeB = SimHost.start("domain-nodes-b", 1);
    nodeC = SimHost.start("domain-nodes-c", 1);
  }

  @AfterAll
  static void stop() {
    guestHost.close();
    nodeB.close();
    nodeC.close();
  }

  private static Runner.Options options(Runner.TraceMode mode) {
    return Runner.Options.defaults().withStrategy(new RandomWalkStrategy()).withTrace(mode).withDomainThreads(1);
  }

  private static RemoteDomains on(SimHost node, Scenario scenario, long seed, Runner.Options o, Set<String> hosted) {
    return new InProcessDomains(hosted, () -> Runner.hostDomains(node, 0, scenario, seed,
        o.trace() == Runner.TraceMode.DETAILED, o.maxChoices(), hosted));
  }

  @Test
  void pcieDomainsOnThreeHostsGiveTheTraceOfOneJvm() {
    Scenario scenario = ScenarioLoader.load(Path.of("..", "scenarios", "pcie-domains.conf"))
        .withDuration(12 * VirtualClock.MILLISECOND);
    for (long seed : new long[] {7, 8}) {
      Runner.Options o = options(Runner.TraceMode.HASH);
      Runner.Outcome one = Runner.run(guestHost, 0, scenario, seed, o);
      List<RemoteDomains> remotes = new ArrayList<>();
      remotes.add(on(nodeB, scenario, seed, o, Set.of("card0", "cam0")));
      remotes.add(on(nodeC, scenario, seed, o, Set.of("card1")));
      Runner.Outcome nodes = Runner.run(guestHost, 0, scenario, seed, o, k -> {}, remotes);
      assertEquals(one.traceSha256(), nodes.traceSha256(), "seed " + seed + ": one JVM vs three hosts");
      assertEquals(one.result(), nodes.result(), "seed " + seed + ": same report");
      assertEquals(one.domains().crossings(), nodes.domains().crossings(), "the same link messages");
      assertEquals(one.domains().choices(), nodes.domains().choices(), "the same deliveries over all domains");
      assertEquals(one.domains().windows(), nodes.domains().windows(), "the same rounds");
      assertTrue(nodes.domains().crossings() > 100, "cards and camera talked across: " + nodes.domains());
      for (RemoteDomains r : remotes) assertEquals(0, ((InProcessDomains) r).dropped(), "no frame dropped");
      assertEquals(0, nodes.domains().droppedFrames());
    }
  }

  @Test
  void aUsbDeviceOnAnotherHostGivesTheTraceOfOneJvm() {
    Scenario usb = ScenarioLoader.load(Path.of("..", "scenarios", "usb-remote.conf"));
    Runner.Options o = options(Runner.TraceMode.HASH);
    Runner.Outcome one = Runner.run(guestHost, 0, usb, 1, o);
    Runner.Outcome nodes = Runner.run(guestHost, 0, usb, 1, o, k -> {},
        List.of(on(nodeB, usb, 1, o, Set.of("usb1"))));
    assertEquals(one.traceSha256(), nodes.traceSha256());
    assertEquals(one.result(), nodes.result());
    assertEquals(1, nodes.result().hotplugEvents(), "the surprise unplug reached the device across");
  }

  @Test
  void wireLinksInOneJvmGiveTheSameTrace() {
    Scenario usb = ScenarioLoader.load(Path.of("..", "scenarios", "usb-remote.conf"))
        .withDuration(170 * VirtualClock.MILLISECOND);
    Runner.Options o = options(Runner.TraceMode.HASH);
    Runner.Outcome plain = Runner.run(guestHost, 0, usb, 2, o);
    System.setProperty(DomainRun.LINKS_PROPERTY, "wire");
    Runner.Outcome wire;
    try {
      wire = Runner.run(guestHost, 0, usb, 2, o);
    } finally {
      System.clearProperty(DomainRun.LINKS_PROPERTY);
    }
    assertEquals(plain.traceSha256(), wire.traceSha256());
    assertEquals(plain.result(), wire.result());
  }

  /**
   * A remote that goes silent, as a SIGKILLed or partitioned node does: from round {@code silentFrom} on it takes
   * nothing and answers nothing, so the guest's node hears nothing of it at that round.
   */
  private static final class GoesSilent implements RemoteDomains {
    private final RemoteDomains inner;
    private final long silentFrom;
    private boolean silent;

    GoesSilent(RemoteDomains inner, long silentFrom) {
      this.inner = inner;
      this.silentFrom = silentFrom;
    }

    @Override
    public Set<String> hosted() {
      return inner.hosted();
    }

    @Override
    public long[] start() {
      return inner.start();
    }

    @Override
    public void send(long round, long[] horizons, List<byte[]> frames) {
      if (round >= silentFrom) silent = true;
      if (!silent) inner.send(round, horizons, frames);
    }

    @Override
    public RoundResult receive(long round) {
      if (silent) throw new DomainNodeLost(round, hosted(), "no answer (the test silenced the node)");
      return inner.receive(round);
    }

    @Override
    public long[] end() {
      return inner.end();
    }
  }

  /**
   * Issue 13 item 5 without the network: the node hosting a USB device with URBs in flight goes silent mid-run. The
   * guest's node loses the device's domain at the round it did not answer: the driver sees a surprise removal, the
   * run finishes, and the loss is in the trace, so a replay on one JVM (from the trace alone, any lanes) gives the
   * same trace and the same report.
   */
  @Test
  void aSilentNodeLosesItsDomainsAndTheRunReplaysOnOneJvm() {
    Scenario s = ScenarioLoader.load(Path.of("..", "scenarios", "usb-remote.conf"));
    Scenario noFaults = dev.devemu.replay.RunRecipe.withFaults(s, dev.devemu.scenario.FaultPlan.NONE)
        .withDuration(120 * VirtualClock.MILLISECOND);
    long seed = 4;
    Runner.Options o = options(Runner.TraceMode.KEEP);
    Runner.Outcome plain = Runner.run(guestHost, 0, noFaults, seed, o);
    assertEquals(0, plain.result().hotplugEvents());
    long silentFrom = plain.domains().windows() / 2;

    RemoteDomains inner = on(nodeB, noFaults, seed, o, Set.of("usb1"));
    Runner.Outcome lost;
    try {
      lost = Runner.run(guestHost, 0, noFaults, seed, o, k -> {}, List.of(new GoesSilent(inner, silentFrom)));
    } finally {
      inner.end(); // the silent node's copy of the testbed (a real lost node's goes with its JVM)
    }
    assertEquals("completed", lost.result().outcome(), "the run goes on after the loss: " + lost.result());
    assertEquals(1, lost.result().hotplugEvents(), "the guest saw the device leave");
    assertTrue(lost.result().kernelLog().stream().anyMatch(l -> l.contains("device removed (surprise)")),
        "a surprise removal, as the hub reports it: " + lost.result().kernelLog());
    String atRound0 = dev.devemu.sim.domain.DomainLosses.recordActor("usb1", 0);
    String record = atRound0.substring(0, atRound0.length() - 1); // the record's actor, without the round
    long records = lost.trace().deliveries().stream().filter(d -> d.actor().startsWith(record)).count();
    assertEquals(1, records, "the loss is one record of the trace");

    for (int lanes = 1; lanes <= 2; lanes++) {
      Runner.Outcome again = Runner.run(guestHost, 0, noFaults, seed, Runner.Options.defaults()
          .withStrategy(new dev.devemu.sim.ReplayStrategy(lost.trace().choices(), true))
          .withTrace(Runner.TraceMode.KEEP).withDomainThreads(lanes));
      assertEquals(lost.traceSha256(), again.traceSha256(), lanes + " lanes: the replay loses usb1 at the same round");
      assertEquals(lost.result(), again.result(), "the same report");
    }
  }

  /**
   * Device models with local timers (the bench's DSP cards, whose ADC conversions send nothing) on other hosts: the
   * nodes report when each domain may next send, not only its next event, so the guest's node computes the horizons
   * of one JVM and the trace is the same.
   */
  @Test
  void cardsWithLocalTimersOnOtherHostsGiveTheTraceOfOneJvm() {
    Scenario s = ScenarioLoader.parse("domains-bench.conf", dev.devemu.bench.DomainBench.scenario(2, 16, 2_000, true)
        .replace("adc-period = 16us", "adc-period = 2us"));
    Runner.Options o = options(Runner.TraceMode.HASH);
    for (long seed = 1; seed <= 2; seed++) {
      Runner.Outcome one = Runner.run(guestHost, 0, s, seed, o);
      List<RemoteDomains> remotes = new ArrayList<>();
      for (String domain : s.domains().names().subList(1, s.domains().names().size())) {
        remotes.add(on(remotes.isEmpty() ? nodeB : nodeC, s, seed, o, Set.of(domain)));
      }
      Runner.Outcome nodes = Runner.run(guestHost, 0, s, seed, o, k -> {}, remotes);
      assertEquals(one.traceSha256(), nodes.traceSha256(), "seed " + seed + ": one JVM vs the cards on two hosts");
      assertEquals(one.domains().windows(), nodes.domains().windows(), "the same rounds");
    }
  }
}
