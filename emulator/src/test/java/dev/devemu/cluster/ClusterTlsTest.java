package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster-config/tls.conf} as shipped: two nodes whose certificates chain to the shared trust store form a
 * cluster over TLS; a third node with a certificate the cluster does not trust cannot join, although it trusts the
 * cluster (so it is the cluster's check of the client certificate, mutual authentication, that keeps it out).
 * The cluster's stores are made by the shipped {@code cluster-config/tls-stores.sh} (the script docs/cluster.md
 * tells an operator to run), which must leave them readable by their owner only; the rogue's with keytool.
 */
class ClusterTlsTest {
  static final Path TLS_CONF = Path.of("..", "cluster-config", "tls.conf").toAbsolutePath().normalize();
  static final String PASSWORD = "devemu-test-pw";
  static final Path SCRIPT = Path.of("..", "cluster-config", "tls-stores.sh").toAbsolutePath().normalize();

  /** Runs tls-stores.sh DIR with the JDK's keytool first on the PATH. */
  static void shippedScript(Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), dir.toString()).redirectErrorStream(true);
    pb.environment().put("DEVEMU_TLS_PASSWORD", PASSWORD);
    pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
  }

  static void keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + out);
  }

  /** A key pair in its own PKCS12 store, and its certificate exported to a file. */
  static void keyPair(Path dir, String name) throws Exception {
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
        "-dname", "CN=" + name, "-validity", "2", "-storetype", "PKCS12",
        "-keystore", dir.resolve(name + ".p12").toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", name, "-keystore", dir.resolve(name + ".p12").toString(),
        "-storepass", PASSWORD, "-file", dir.resolve(name + ".crt").toString());
  }

  static void trust(Path dir, String store, String cert) throws Exception {
    keytool("-importcert", "-noprompt", "-alias", cert, "-file", dir.resolve(cert + ".crt").toString(),
        "-storetype", "PKCS12", "-keystore", dir.resolve(store).toString(), "-storepass", PASSWORD);
  }

  static ActorSystem<Void> node(Path keyStore, Path trustStore, int port, int seedPort) {
    Config tls = ConfigFactory.parseFile(TLS_CONF.toFile());
    Config own = ConfigFactory.parseString("""
        pekko.actor.provider = cluster
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = %d
        pekko.remote.artery.ssl.config-ssl-engine {
          key-store = "%s"
          trust-store = "%s"
          key-store-password = "%s"
          key-password = "%s"
          trust-store-password = "%s"
        }
        pekko.cluster.seed-nodes = ["pekko://tls@127.0.0.1:%d"]
        pekko.cluster.jmx.enabled = off
        """.formatted(port, keyStore, trustStore, PASSWORD, PASSWORD, PASSWORD, seedPort));
    return ActorSystem.create(Behaviors.empty(), "tls", own.withFallback(tls).withFallback(ConfigFactory.load()).resolve());
  }

  static long up(ActorSystem<?> system) {
    long n = 0;
    for (var m : Cluster.get(system).state().getMembers()) if (m.status() == MemberStatus.up()) n++;
    return n;
  }

  @Test
  void nodesWithTrustedCertificatesFormAClusterAndOthersAreKeptOut(@TempDir Path dir) throws Exception {
    Path stores = dir.resolve("devemu-tls");
    shippedScript(stores);
    // Nobody but the owner may read what the script made: not the directory, not a store, not the password.
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        java.nio.file.Files.getPosixFilePermissions(stores)));
    for (String f : new String[] {"node.p12", "trust.p12", "password", "node.crt"}) {
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
          java.nio.file.Files.getPosixFilePermissions(stores.resolve(f))), f);
    }
    assertEquals(PASSWORD, java.nio.file.Files.readString(stores.resolve("password")));
    java.nio.file.Files.copy(stores.resolve("node.crt"), dir.resolve("cluster.crt"));
    keyPair(dir, "rogue");
    trust(dir, "rogue-trust.p12", "cluster"); // the rogue trusts the cluster; the cluster does not trust it
    int seedPort = LocalCluster.freePort();
    List<ActorSystem<Void>> systems = new ArrayList<>();
    try {
      ActorSystem<Void> a = node(stores.resolve("node.p12"), stores.resolve("trust.p12"), seedPort, seedPort);
      systems.add(a);
      ActorSystem<Void> b = node(stores.resolve("node.p12"), stores.resolve("trust.p12"), LocalCluster.freePort(),
          seedPort);
      systems.add(b);
      assertEquals("tls-tcp", a.settings().config().getString("pekko.remote.artery.transport"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((up(a) < 2 || up(b) < 2) && System.nanoTime() < deadline) Thread.sleep(100);
      assertEquals(2, up(a), "two nodes over TLS form a cluster");
      assertEquals(2, up(b));

      ActorSystem<Void> rogue = node(dir.resolve("rogue.p12"), dir.resolve("rogue-trust.p12"), LocalCluster.freePort(),
          seedPort);
      systems.add(rogue);
      // The trusted node joined in well under a second on loopback; the rogue retries its join all along.
      Thread.sleep(4000);
      long members = 0;
      for (var m : Cluster.get(a).state().getMembers()) members++;
      assertEquals(2, members, "a node with an untrusted certificate joined");
      assertNotEquals(MemberStatus.up(), Cluster.get(rogue).selfMember().status());
    } finally {
      for (ActorSystem<Void> s : systems) s.terminate();
      for (ActorSystem<Void> s : systems) s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
