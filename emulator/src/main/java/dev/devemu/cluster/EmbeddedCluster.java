package dev.devemu.cluster;

import dev.devemu.campaign.CampaignBackend;
import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Set;

/**
 * A single-node cluster inside this JVM, on free loopback ports, with its journal in {@code dataDir}: the
 * embedded default for a campaign that names no cluster. Campaigns survive a restart: a new embedded cluster on the
 * same directory recovers the plans and results, and a resubmitted plan runs only what is missing.
 */
public final class EmbeddedCluster implements CampaignBackend {
  private final ClusterNode node;
  private final CampaignBackend client;

  private EmbeddedCluster(ClusterNode node, ClusterCampaigns.Options options) {
    this.node = node;
    this.client = ClusterCampaigns.connect(node.httpAddress(), options);
  }

  /** Starts the node; {@code lanes} 0 means one per processor. */
  public static EmbeddedCluster start(Path dataDir, int lanes, ClusterCampaigns.Options options) throws Exception {
    NodeConfig nc = NodeConfig.load(null, 1, new NodeConfig.Overrides("127.0.0.1", freePort(), freePort(), dataDir,
        lanes));
    return new EmbeddedCluster(ClusterNode.start(nc), options);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** {@code host:port} of the node's HTTP door (for {@code status}). */
  public String door() {
    return node.httpAddress();
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
