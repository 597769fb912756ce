package dev.devemu.bench;

import com.typesafe.config.ConfigFactory;
import dev.devemu.cluster.ArteryDomains;
import dev.devemu.cluster.DomainHost;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.domain.InProcessDomains;
import dev.devemu.sim.domain.RemoteDomains;
import dev.devemu.testbed.Runner;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Figure 7b: a testbed split into time domains with the device domains on another node (two remoting actor systems
 * of this JVM over Artery on loopback) against the same run in one JVM on one lane, same trace. A third setting,
 * the device domains hosted by another actor system without the network ({@link InProcessDomains}: every crossing
 * still encoded, decoded and resolved by path), splits the cost: one JVM to in-process is the wire (Protobuf
 * frames, path resolution, the hosting copy), in-process to Artery is the round trips.
 */
final class NodesBench {
  private NodesBench() {}

  record Result(String scenario, long seed, double simulatedSeconds, int rounds, double wallOne,
      double wallInProcess, double wallArtery, long deliveries, long crossings, long windows, String traceSha256) {
    double deliveriesPerSecond(double wall) {
      return deliveries / wall;
    }

    double crossingsPerSecond(double wall) {
      return crossings / wall;
    }

    double windowsPerSimulatedSecond() {
      return windows / simulatedSeconds;
    }

    /** Wall-clock microseconds per round, over Artery minus in-process: what one request/answer costs. */
    double roundTripMicros() {
      return (wallArtery - wallInProcess) * 1e6 / windows;
    }
  }

  static Result run(Path file, long seed, long durationNanos, int rounds) throws Exception {
    Scenario scenario = ScenarioLoader.load(file).withDuration(durationNanos);
    String source = Files.readString(file);
    Set<String> devices = new LinkedHashSet<>();
    scenario.domains().domains().forEach(d -> devices.add(d.name()));
    Runner.Options o = Runner.Options.defaults().withStrategy(new RandomWalkStrategy())
        .withTrace(Runner.TraceMode.HASH).withDomainThreads(1);
    ActorSystem<Void> guestNode = node();
    ActorSystem<Void> deviceNode = node();
    try (SimHost lanes = SimHost.start("bench-nodes", 1); SimHost other = SimHost.start("bench-nodes-b", 1)) {
      ActorRef<Object> local = deviceNode.systemActorOf(DomainHost.create(), "domain-host", Props.empty());
      ActorRef<Object> host = ActorRefResolver.get(guestNode)
          .resolveActorRef(ActorRefResolver.get(deviceNode).toSerializationFormat(local));
      double one = Double.MAX_VALUE;
      double inProcess = Double.MAX_VALUE;
      double artery = Double.MAX_VALUE;
      Runner.Outcome last = null;
      for (int r = 0; r < rounds + 1; r++) { // the first round warms up and is not counted
        long t0 = System.nanoTime();
        Runner.Outcome a = Runner.run(lanes, 0, scenario, seed, o);
        long t1 = System.nanoTime();
        Runner.Outcome b = Runner.run(lanes, 0, scenario, seed, o, k -> {}, List.of(new InProcessDomains(devices,
            () -> Runner.hostDomains(other, 0, scenario, seed, false, o.maxChoices(), devices))));
        long t2 = System.nanoTime();
        Runner.Outcome c = Runner.run(lanes, 0, scenario, seed, o, k -> {}, List.<RemoteDomains>of(
            new ArteryDomains(guestNode, host, devices, file.toString(), source, seed, false, o.maxChoices(),
                Duration.ofSeconds(60))));
        long t3 = System.nanoTime();
        if (!a.traceSha256().equals(b.traceSha256()) || !a.traceSha256().equals(c.traceSha256())) {
          throw new IllegalStateException("nodes bench: traces differ: one JVM " + a.traceSha256() + ", in-process "
              + b.traceSha256() + ", Artery " + c.traceSha256());
        }
        if (r > 0) {
          one = Math.min(one, (t1 - t0) / 1e9);
          inProcess = Math.min(inProcess, (t2 - t1) / 1e9);
          artery = Math.min(artery, (t3 - t2) / 1e9);
        }
        last = a;
      }
      return new Result(file.toString(), seed, durationNanos / 1e9, rounds, one, inProcess, artery,
          last.domains().choices(), last.domains().crossings(), last.domains().windows(), last.traceSha256());
    } finally {
      guestNode.terminate();
      deviceNode.terminate();
    }
  }

  private static ActorSystem<Void> node() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    return ActorSystem.create(Behaviors.empty(), "devemu", ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.transport = tcp
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = %d
        pekko.loglevel = WARNING
        """.formatted(port)).withFallback(ConfigFactory.load()));
  }
}
