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
}
