package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time domains on a node whose remoting is mutual TLS ({@code cluster-config/tls.conf} as shipped, stores made by
 * the shipped {@code tls-stores.sh}): {@code run --domain-node usb1=HOST:PORT --remoting FILE} reaches the node's
 * domain host over tls-tcp and gives the trace of one JVM; the same run without the cluster's remoting settings
 * (plain TCP) cannot reach it and ends with a clear error instead of hanging.
 */
class DomainsOverTlsTest {
  private static String hash(SingleNodeCampaign.Cli cli) {
    String last = cli.out().lines().filter(l -> l.startsWith("summary:")).reduce((a, b) -> b).orElse("");
    int at = last.indexOf("trace-sha256=");
    return at < 0 ? null : last.substring(at + "trace-sha256=".length()).trim();
  }

  @Test
  void domainsOnATlsNodeGiveTheTraceOfOneJvm(@TempDir Path dir) throws Exception {
    Path stores = dir.resolve("devemu-tls");
    ClusterTlsTest.shippedScript(stores);
    // what a deployment gives through DEVEMU_TLS_*: the stores and their password, here in a file of its own
    Path remoting = dir.resolve("remoting.conf");
    Files.writeString(remoting, "include file(\"" + ClusterTlsTest.TLS_CONF + "\")\n"
        + "pekko.remote.artery.ssl.config-ssl-engine {\n"
        + "  key-store = \"" + stores.resolve("node.p12") + "\"\n"
        + "  trust-store = \"" + stores.resolve("trust.p12") + "\"\n"
        + "  key-store-password = \"" + ClusterTlsTest.PASSWORD + "\"\n"
        + "  key-password = \"" + ClusterTlsTest.PASSWORD + "\"\n"
        + "  trust-store-password = \"" + ClusterTlsTest.PASSWORD + "\"\n"
        + "}\n");
    int port = LocalCluster.freePort();
    Config nodeConfig = ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = %d
        """.formatted(port)).withFallback(ConfigFactory.parseFile(remoting.toFile())).withFallback(ConfigFactory.load())
        .resolve();
    ActorSystem<Void> node = ActorSystem.create(Behaviors.empty(), "devemu", nodeConfig);
    try {
      assertEquals("tls-tcp", node.settings().config().getString("pekko.remote.artery.transport"));
      node.systemActorOf(dev.devemu.cluster.DomainHost.create(), "domain-host", Props.empty());
      String scenario = Path.of("..", "scenarios", "usb-remote.conf").toString();
      SingleNodeCampaign.Cli one = SingleNodeCampaign.devemu("run", scenario, "--seed", "1", "--lanes", "1");
      assertEquals(0, one.code(), one.out() + one.err());

      SingleNodeCampaign.Cli tls = SingleNodeCampaign.devemu("run", scenario, "--seed", "1",
          "--domain-node", "usb1=127.0.0.1:" + port, "--remoting", remoting.toString());
      assertEquals(0, tls.code(), tls.out() + tls.err());
      assertEquals(hash(one), hash(tls), "one JVM vs the device on a node reached over mutual TLS");

      SingleNodeCampaign.Cli plain = SingleNodeCampaign.devemu("run", scenario, "--seed", "1",
          "--domain-node", "usb1=127.0.0.1:" + port, "--node-timeout", "3");
      assertEquals(1, plain.code(), "plain TCP cannot reach a TLS node: " + plain.out() + plain.err());
      assertTrue(plain.err().contains("no answer"), plain.err());

      SingleNodeCampaign.Cli missing = SingleNodeCampaign.devemu("run", scenario, "--seed", "1",
          "--domain-node", "usb1=127.0.0.1:" + port, "--remoting", dir.resolve("nope.conf").toString());
      assertEquals(2, missing.code(), missing.err());
      assertTrue(missing.err().contains("nope.conf"), missing.err());
    } finally {
      node.terminate();
      node.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
