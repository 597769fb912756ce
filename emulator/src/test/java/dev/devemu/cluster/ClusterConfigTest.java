package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The deployments in cluster-config/ load as nodes and keep the security defaults the docs promise. */
class ClusterConfigTest {
  static final Path DIR = Path.of("..", "cluster-config").toAbsolutePath().normalize();

  static NodeConfig load(String file, int node) {
    return NodeConfig.load(file == null ? null : DIR.resolve(file), node, NodeConfig.Overrides.none());
  }

  static void assertSecureDefaults(Config c) {
    assertFalse(c.getBoolean("pekko.actor.allow-java-serialization"), "Java serialization must stay off");
    assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
        c.getString("pekko.cluster.downing-provider-class"));
    assertEquals("keep-majority", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertEquals("dev.devemu.cluster.ClusterRoutes", c.getString("pekko.management.http.routes.devemu"));
    assertEquals("cluster", c.getString("pekko.actor.provider"));
  }

  @Test
  void singleNodeIsTheDefault() {
    NodeConfig file = load("single-node.conf", 1);
    NodeConfig builtIn = load(null, 1);
    assertEquals(builtIn.node(), file.node());
    assertEquals("127.0.0.1", file.node().httpHost(), "the HTTP door binds to loopback");
    assertEquals("127.0.0.1", file.config().getString("pekko.management.http.hostname"));
    assertEquals(List.of("pekko://devemu@127.0.0.1:25520"), file.config().getStringList("pekko.cluster.seed-nodes"));
    assertTrue(file.config().getString("pekko-persistence-jdbc.shared-databases.default.db.url")
        .startsWith("jdbc:h2:file:" + file.node().dataDir().resolve("journal")));
    assertSecureDefaults(file.config());
  }

  @Test
  void threeLocalNodesSeeEachOtherAndOverridesWin() {
    for (int k = 1; k <= 3; k++) {
      NodeConfig n = load("local-3-nodes.conf", k);
      assertEquals(25520 + k, n.node().port());
      assertEquals(8560 + k, n.node().httpPort());
      assertEquals(3, n.config().getStringList("pekko.cluster.seed-nodes").size());
      assertSecureDefaults(n.config());
    }
    NodeConfig o = NodeConfig.load(DIR.resolve("local-3-nodes.conf"), 2,
        new NodeConfig.Overrides(null, 40002, 40102, Path.of("/tmp/x"), 3));
    assertEquals(40002, o.config().getInt("pekko.remote.artery.canonical.port"));
    assertEquals(40102, o.config().getInt("pekko.management.http.port"));
    assertEquals(3, o.node().lanes());
    assertTrue(o.config().getStringList("pekko.cluster.seed-nodes").contains("pekko://devemu@127.0.0.1:40002"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load("local-3-nodes.conf", 4));
    assertTrue(e.getMessage().contains("nodes 1..3"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> load("no-such.conf", 1));
  }

  @Test
  void kubernetesBootstrapsThroughTheKubernetesApiAndUsesPostgres() {
    Config c = load("kubernetes.conf", 1).config();
    assertEquals("kubernetes", c.getString("devemu.deployment.discovery"));
    assertEquals("kubernetes-api",
        c.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    assertTrue(c.getStringList("pekko.cluster.seed-nodes").isEmpty(), "bootstrap, not seed nodes");
    assertEquals("slick.jdbc.PostgresProfile$", c.getString("pekko-persistence-jdbc.shared-databases.default.profile"));
    // /ready is devemu's (ClusterRoutes); Pekko's readiness check is moved out of its way.
    assertEquals("pekko/ready", c.getString("pekko.management.health-checks.readiness-path"));
    assertEquals("alive", c.getString("pekko.management.health-checks.liveness-path"));
    assertTrue(c.getBoolean("devemu.node.create-schema"), "nothing else creates the tables in Kubernetes");
    assertSecureDefaults(c);
    // A multi-node deployment: mutual TLS between nodes, and a token that every pod shares (none made per pod).
    assertEquals("tls-tcp", c.getString("pekko.remote.artery.transport"));
    assertTrue(c.getBoolean("pekko.remote.artery.ssl.config-ssl-engine.require-mutual-authentication"));
    assertEquals("/etc/devemu/tls/node.p12", c.getString("pekko.remote.artery.ssl.config-ssl-engine.key-store"));
    assertFalse(c.getBoolean("devemu.http.make-token"));
    IllegalArgumentException noToken = assertThrows(IllegalArgumentException.class,
        () -> DoorToken.forNode(c, Path.of("/nonexistent")));
    assertTrue(noToken.getMessage().contains("DEVEMU_TOKEN"), noToken.getMessage());
  }

  @Test
  void everyDeploymentHidesClusterMembersBehindTheToken() {
    for (String file : new String[] {null, "single-node.conf", "local-3-nodes.conf", "kubernetes.conf"}) {
      Config c = load(file, 1).config();
      assertEquals("", c.getString("pekko.management.http.routes.cluster-management"), file);
      assertTrue(c.getBytes("devemu.http.max-body-bytes") <= 8L << 20, file);
    }
  }

  @Test
  void severalNodesNeedAJournalNoneOfThemHosts() {
    // Every multi-node deployment shipped uses PostgreSQL ...
    for (String deployment : List.of("local-3-nodes.conf", "kubernetes.conf")) {
      Config c = load(deployment, 1).config();
      assertEquals(Journal.Kind.POSTGRES, Journal.kind(c), deployment);
      assertTrue(c.getString("pekko-persistence-jdbc.shared-databases.default.db.properties.options")
          .contains("idle_in_transaction_session_timeout"), deployment);
      Journal.checkDeployment(c);
    }
    // ... and several nodes on an H2 file are refused, with what to do instead.
    Config h2 = com.typesafe.config.ConfigFactory.parseString("""
        pekko-persistence-jdbc.shared-databases.default.profile = "slick.jdbc.H2Profile$"
        """).withFallback(load("local-3-nodes.conf", 1).config());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Journal.checkDeployment(h2));
    assertTrue(e.getMessage().contains("postgres.conf") && e.getMessage().contains("3 nodes"), e.getMessage());
    Journal.checkDeployment(load("single-node.conf", 1).config()); // one node may keep its H2 file
  }

  @Test
  void tlsAsksForMutualAuthentication() {
    Config c = com.typesafe.config.ConfigFactory.parseFile(DIR.resolve("tls.conf").toFile()).resolve();
    assertEquals("tls-tcp", c.getString("pekko.remote.artery.transport"));
    assertTrue(c.getBoolean("pekko.remote.artery.ssl.config-ssl-engine.require-mutual-authentication"));
    assertEquals("TLSv1.3", c.getString("pekko.remote.artery.ssl.config-ssl-engine.protocol"));
  }
}
