package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.VirtualClock;
import dev.devemu.sim.domain.RemoteDomains;
import dev.devemu.testbed.Runner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Time domains on nodes over real Pekko Artery on loopback: the guest's node and two device nodes are three
 * remoting actor systems (ports picked), every round and every crossing a Protobuf message between them. The trace
 * is the one of the same run in one JVM on one lane; forged frames and an undecodable crossing are logged and
 * dropped; a node that stops answering ends the run with a clear error.
 */
class DomainsOverArteryTest {
  private static ActorSystem<Void> guestNode;
  private static ActorSystem<Void> nodeB;
  private static ActorSystem<Void> nodeC;
  private static int portB;
  private static ActorRef<Object> hostB;
  private static ActorRef<Object> hostC;
  private static SimHost lanes;

  private static ActorSystem<Void> node(int port) {
    return ActorSystem.create(Behaviors.empty(), "devemu", ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.transport = tcp
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = %d
        pekko.actor.serialize-messages = off
        """.formatted(port)).withFallback(ConfigFactory.load()));
  }

  /** The node's domain host, as a ref the guest's node can use (resolved through its remoting address). */
  private static ActorRef<Object> host(ActorSystem<Void> node) {
    ActorRef<Object> local = node.systemActorOf(DomainHost.create(), "domain-host", Props.empty());
    String path = ActorRefResolver.get(node).toSerializationFormat(local);
    return ActorRefResolver.get(guestNode).resolveActorRef(path);
  }

  @BeforeAll
  static void start() throws Exception {
    guestNode = node(LocalCluster.freePort());
    portB = LocalCluster.freePort();
    nodeB = node(portB);
    nodeC = node(LocalCluster.freePort());
    hostB = host(nodeB);
    hostC = host(nodeC);
    lanes = SimHost.start("domains-over-artery", 1);
  }

  @AfterAll
  static void stop() {
    lanes.close();
    guestNode.terminate();
    nodeB.terminate();
    nodeC.terminate();
  }

  private static Runner.Options options() {
    return Runner.Options.defaults().withStrategy(new RandomWalkStrategy()).withTrace(Runner.TraceMode.HASH)
        .withDomainThreads(1);
  }

  private static ArteryDomains on(ActorRef<Object> host, Path file, long seed, Set<String> hosted, Duration timeout)
      throws Exception {
    return new ArteryDomains(guestNode, host, hosted, file.toString(), Files.readString(file), seed, false,
        options().maxChoices(), timeout);
  }

  @Test
  void pcieDomainsOnThreeNodesGiveTheTraceOfOneJvm() throws Exception {
    Path file = Path.of("..", "scenarios", "pcie-domains.conf");
    Scenario scenario = ScenarioLoader.load(file);
    Runner.Outcome one = Runner.run(lanes, 0, scenario, 7, options());
    List<RemoteDomains> remotes = List.of(on(hostB, file, 7, Set.of("card0", "cam0"), Duration.ofSeconds(30)),
        on(hostC, file, 7, Set.of("card1"), Duration.ofSeconds(30)));
    Runner.Outcome nodes = Runner.run(lanes, 0, scenario, 7, options(), k -> {}, remotes);
    assertEquals(one.traceSha256(), nodes.traceSha256(), "seed 7: one JVM vs three nodes");
    assertEquals(one.result(), nodes.result());
    assertEquals(one.domains().crossings(), nodes.domains().crossings());
    assertEquals(one.domains().choices(), nodes.domains().choices());
  }

  @Test
  void aUsbDeviceOnAnotherNodeSurvivesForgedFramesAndAnUndecodableCrossing() throws Exception {
    Path file = Path.of("..", "scenarios", "usb-remote.conf");
    Scenario scenario = ScenarioLoader.load(file);
    Runner.Outcome one = Runner.run(lanes, 0, scenario, 1, options());
    // garbage under a devemu manifest to the device node's remoting port: logged and dropped by its serializer
    ForgedFrames.send("127.0.0.1", portB, 5);
    // and a crossing that does not decode, in the first round's request: the device node drops it
    ArteryDomains usb = on(hostB, file, 1, Set.of("usb1"), Duration.ofSeconds(30));
    RemoteDomains withGarbage = new RemoteDomains() {
      private boolean first = true;

      @Override
      public Set<String> hosted() {
        return usb.hosted();
      }

      @Override
      public long[] start() {
        return usb.start();
      }

      @Override
      public void send(long round, long[] horizons, List<byte[]> frames) {
        List<byte[]> out = new ArrayList<>(frames);
        if (first) out.add(new byte[] {0x08, (byte) 0xff, 0x12, 0x7f, 0x01});
        first = false;
        usb.send(round, horizons, out);
      }

      @Override
      public RoundResult receive(long round) {
        return usb.receive(round);
      }

      @Override
      public long[] end() {
        return usb.end();
      }
    };
    hostB.tell(new DomainNodeMessages.Ended(99, 0, 0, 0)); // not a request: logged and dropped
    Runner.Outcome nodes = Runner.run(lanes, 0, scenario, 1, options(), k -> {}, List.of(withGarbage));
    assertEquals(one.traceSha256(), nodes.traceSha256());
    assertEquals(one.result(), nodes.result());
    assertEquals(1, nodes.result().hotplugEvents(), "the surprise unplug reached the device across");
    // the forged frames were refused by the device node's serializer (and only they were): that is the point here
    List<String> refused = new ArrayList<>(dev.devemu.testsupport.SerializationErrorTrap.drain());
    for (int i = 0; i < 50 && refused.isEmpty(); i++) {
      Thread.sleep(100);
      refused.addAll(dev.devemu.testsupport.SerializationErrorTrap.drain());
    }
    assertTrue(!refused.isEmpty(), "the forged frames reached the device node");
    for (String e : refused) assertTrue(e.contains("forger") && e.contains("corrupt RunCompleted"), e);
  }

  @Test
  void aNodeThatDoesNotAnswerEndsTheRunWithAClearError() throws Exception {
    Path file = Path.of("..", "scenarios", "usb-remote.conf");
    Scenario scenario = ScenarioLoader.load(file).withDuration(20 * VirtualClock.MILLISECOND);
    // a "host" that never answers: the run must not hang
    ActorRef<Object> silent = nodeC.systemActorOf(Behaviors.ignore(), "silent-host", Props.empty());
    ActorRef<Object> remoteSilent = ActorRefResolver.get(guestNode)
        .resolveActorRef(ActorRefResolver.get(nodeC).toSerializationFormat(silent));
    RemoteDomains.DomainNodeLost lost = assertThrows(RemoteDomains.DomainNodeLost.class,
        () -> Runner.run(lanes, 0, scenario, 1, options(), k -> {},
            List.of(on(remoteSilent, file, 1, Set.of("usb1"), Duration.ofMillis(1500)))));
    assertTrue(lost.getMessage().contains("usb1") && lost.getMessage().contains("no answer"), lost.getMessage());
    // and the lanes are usable afterwards
    Runner.Outcome after = Runner.run(lanes, 0, scenario, 1, options());
    assertEquals("completed", after.result().outcome());
  }

  private static long hostThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive()
        && t.getName().startsWith("devemu-domains-")).count();
  }

  /**
   * The guest's side of a run dies without ending it (its process is killed, or its node lost): the node hosting
   * its domains drops its part (thread and testbed) once the run has sent no round for the host's idle timeout,
   * instead of keeping them until it stops.
   */
  @Test
  void aNodeDropsTheDomainsOfAGuestThatIsGone() throws Exception {
    Path file = Path.of("..", "scenarios", "usb-remote.conf");
    ActorRef<Object> idleHost = nodeB.systemActorOf(DomainHost.create(Duration.ofSeconds(2)), "domain-host-idle",
        Props.empty());
    ActorRef<Object> host = ActorRefResolver.get(guestNode).resolveActorRef(
        ActorRefResolver.get(nodeB).toSerializationFormat(idleHost));
    long before = hostThreads();
    ArteryDomains remote = on(host, file, 1, Set.of("usb1"), Duration.ofSeconds(20));
    remote.start();
    remote.send(1, new long[] {0, Long.MAX_VALUE}, List.of());
    remote.receive(1);
    assertTrue(hostThreads() > before, "the node hosts the run's domains on a thread of its own");
    // and then nothing: the guest is gone, no End comes
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (hostThreads() > before && System.nanoTime() < deadline) Thread.sleep(100);
    assertEquals(before, hostThreads(), "the node dropped the domains of the run whose guest is gone");
  }
}
