package dev.devemu.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.devemu.campaign.CampaignBackend;
import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * A single-node cluster inside this JVM, on free loopback ports: the embedded default for a campaign that names no
 * cluster. Its journal is in memory: the campaign folder's {@code results.jsonl} is the one record of the results on
 * disk (each result is written once), and a campaign resumed after a kill runs what that file lacks.
 *
 * <p>It is the same coordinator, worker, lanes and journal as any node, followed by the same client as a remote
 * cluster ({@link ClusterCampaigns}); only the client's door differs: it asks the coordinator in this JVM directly
 * instead of going through HTTP.
 */
public final class EmbeddedCluster implements CampaignBackend {
  /**
   * What an embedded node changes in the single-node defaults. Its only member is in this JVM, so cluster ticks
   * cost nothing: with Pekko's 1 s defaults a node takes a second longer to come up (leader actions start after
   * {@code periodic-tasks-initial-delay}) and to leave (moving to Exiting waits for leader actions; the singleton's
   * hand-over retries every second).
   */
  static final Config EMBEDDED = ConfigFactory.parseString("""
      pekko.cluster.periodic-tasks-initial-delay = 100ms
      pekko.cluster.gossip-interval = 200ms
      pekko.cluster.leader-actions-interval = 100ms
      pekko.cluster.singleton.hand-over-retry-interval = 100ms
      # The client in this JVM writes every result to results.jsonl; a journal on disk would be a second copy.
      pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
      pekko.persistence.snapshot-store.plugin = "devemu.in-memory-snapshot-store"
      devemu.in-memory-snapshot-store.class = "dev.devemu.cluster.InMemorySnapshotStore"
      devemu.node.create-schema = off
      # The embedded node serves only its own command line (no door for campaigns): a campaign as large as the user
      # asks for, with no other campaign to share the node with.
      devemu.limits.max-runs-per-campaign = 9223372036854775807
      devemu.limits.max-total-runs = 9223372036854775807
      devemu.limits.max-device-hours-per-campaign = 1e300
      devemu.limits.max-total-device-hours = 1e300
      """);
  /** How often the client asks for results when it has caught up (an ask inside this JVM is cheap). */
  static final Duration EMBEDDED_POLL = Duration.ofMillis(100);

  private final ClusterNode node;
  private final CampaignBackend client;

  private EmbeddedCluster(ClusterNode node, ClusterCampaigns.Options options) {
    this.node = node;
    this.client = ClusterCampaigns.inJvm(node.system(),
        options.pollInterval().compareTo(EMBEDDED_POLL) > 0 ? options.withPollInterval(EMBEDDED_POLL) : options);
  }

  /**
   * Starts the node with its HTTP door (so {@code devemu status} can look at it); {@code lanes} 0 means one per
   * processor. {@code dataDir} is the node's data directory (nothing of the journal is written there).
   */
  public static EmbeddedCluster start(Path dataDir, int lanes, ClusterCampaigns.Options options) throws Exception {
    return start(dataDir, lanes, options, true);
  }

  private static EmbeddedCluster start(Path dataDir, int lanes, ClusterCampaigns.Options options, boolean httpDoor)
      throws Exception {
    Config extra = httpDoor ? EMBEDDED
        : ConfigFactory.parseString("devemu.node.http-door = off").withFallback(EMBEDDED);
    NodeConfig nc = NodeConfig.load(null, 1, new NodeConfig.Overrides("127.0.0.1", freePort(),
        httpDoor ? freePort() : null, dataDir, lanes), extra);
    return new EmbeddedCluster(ClusterNode.start(nc), options);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * The embedded default of {@code ./devemu campaign}: a backend that starts its node only when a plan has
   * something to run (a resumed campaign that is already complete starts no cluster), without an HTTP door (its
   * client is in this JVM; the door's server took about a second to start), and stops it on
   * {@link CampaignBackend#close()}.
   */
  public static CampaignBackend lazily(Path dataDir, int lanes, ClusterCampaigns.Options options) {
    // dataDir: the campaign folder; the node writes nothing there (in-memory journal)
    return new CampaignBackend() {
      private EmbeddedCluster cluster;

      @Override
      public void execute(CampaignPlan plan, Set<RunKey> alreadyDone, ResultSink sink) throws InterruptedException {
        if (alreadyDone.containsAll(plan.runs())) return;
        if (cluster == null) {
          try {
            cluster = start(dataDir, lanes, options, false);
          } catch (InterruptedException | RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException("the embedded cluster did not start: " + e, e);
          }
        }
        cluster.execute(plan, alreadyDone, sink);
      }

      @Override
      public void close() {
        if (cluster != null) cluster.close();
        cluster = null;
      }
    };
  }

  /** {@code host:port} of the node's HTTP door (for {@code status}). */
  public String door() {
    return node.httpAddress();
  }

  /** The bearer token of the node's HTTP door. */
  public String token() {
    return NodeServices.get(node.system()).httpToken();
  }

  /** The file the node made its token in (it has no configured token): what {@code --token-file} names. */
  public Path tokenFile() {
    return node.node().dataDir().resolve(DoorToken.GENERATED_FILE);
  }

  public String address() {
    return node.system().address().toString();
  }

  @Override
  public void execute(CampaignPlan plan, Set<RunKey> alreadyDone, ResultSink sink) throws InterruptedException {
    client.execute(plan, alreadyDone, sink);
  }

  @Override
  public void close() {
    node.close();
  }
}
