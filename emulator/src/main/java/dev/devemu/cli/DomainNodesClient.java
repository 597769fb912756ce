package dev.devemu.cli;

import com.typesafe.config.ConfigFactory;
import dev.devemu.cluster.ArteryDomains;
import dev.devemu.scenario.Scenario;
import dev.devemu.sim.domain.RemoteDomains;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * {@code run --domain-node card0,cam0=HOST:PORT}: this process runs the guest and reaches the domain hosts of the
 * named cluster nodes over Pekko Artery (plain TCP, or the cluster's own remoting settings given with
 * {@code --remoting}, mutual TLS included), from an actor system of its own bound to the local address that routes
 * to the first node.
 */
final class DomainNodesClient implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final List<RemoteDomains> remotes;

  private DomainNodesClient(ActorSystem<Void> system, List<RemoteDomains> remotes) {
    this.system = system;
    this.remotes = remotes;
  }

  List<RemoteDomains> remotes() {
    return remotes;
  }

  /** @throws IllegalArgumentException for a malformed placement or a domain the scenario does not declare */
  static DomainNodesClient connect(List<String> placements, Scenario scenario, String file, long seed,
      boolean detailed, Duration timeout) {
    return connect(placements, scenario, file, seed, detailed, timeout, null);
  }

  /**
   * @param remoting the cluster's remoting settings (a HOCON file such as {@code cluster-config/tls.conf}: its
   *     {@code pekko.remote.artery} section, mutual TLS included), or null for plain TCP
   */
  static DomainNodesClient connect(List<String> placements, Scenario scenario, String file, long seed,
      boolean detailed, Duration timeout, com.typesafe.config.Config remoting) {
    record Placement(Set<String> domains, String host, int port) {}
    List<Placement> parsed = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String p : placements) {
      int eq = p.indexOf('=');
      int colon = p.lastIndexOf(':');
      if (eq <= 0 || colon < eq + 2 || colon == p.length() - 1) {
        throw new IllegalArgumentException("'" + p + "' is not DOMAINS=HOST:PORT");
      }
      Set<String> domains = new LinkedHashSet<>(List.of(p.substring(0, eq).split(",")));
      for (String d : domains) {
        if (scenario.domains().domains().stream().noneMatch(x -> x.name().equals(d))) {
          throw new IllegalArgumentException("the scenario declares no domain '" + d + "' (it has "
              + scenario.domains().names().subList(1, scenario.domains().names().size()) + ")");
        }
        if (!seen.add(d)) throw new IllegalArgumentException("domain '" + d + "' placed twice");
      }
      int port;
      try {
        port = Integer.parseInt(p.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + p + "': the port is not a number");
      }
      parsed.add(new Placement(domains, p.substring(eq + 1, colon), port));
    }
    String local = localAddressTowards(parsed.get(0).host(), parsed.get(0).port());
    // the cluster's remoting settings (its transport, TLS stores) under this client's own address, plain TCP if none
    com.typesafe.config.Config own = ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.canonical.hostname = "%s"
        pekko.remote.artery.canonical.port = 0
        pekko.loglevel = WARNING
        """.formatted(local));
    if (remoting != null) own = own.withFallback(remoting.withOnlyPath("pekko.remote.artery"));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "devemu", own
        .withFallback(ConfigFactory.parseString("pekko.remote.artery.transport = tcp"))
        .withFallback(ConfigFactory.load()).resolve());
    List<RemoteDomains> remotes = new ArrayList<>();
    for (Placement p : parsed) {
      ActorRef<Object> host = ActorRefResolver.get(system)
          .resolveActorRef("pekko://devemu@" + p.host() + ":" + p.port() + "/system/domain-host");
      remotes.add(new ArteryDomains(system, host, p.domains(), file, scenario.source(), seed, detailed,
          dev.devemu.testbed.Runner.Options.defaults().maxChoices(), timeout));
    }
    return new DomainNodesClient(system, remotes);
  }

  /** The local address the OS would use to reach {@code host} (no packet is sent). */
  private static String localAddressTowards(String host, int port) {
    try (DatagramSocket s = new DatagramSocket()) {
      s.connect(new InetSocketAddress(InetAddress.getByName(host), port));
      return s.getLocalAddress().getHostAddress();
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot reach " + host + ": " + e.getMessage());
    }
  }

  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // the run is over; a slow shutdown of the client's actor system changes nothing
    }
  }
}
