package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.devemu.campaign.ResultLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node (H2 journal on disk, a snapshot every 3 events) is stopped in the middle of a campaign that a
 * {@code campaign --cluster} client follows, and started again on the same data directory: its coordinator recovers
 * from a snapshot plus the journal's tail (the events before the snapshot are deleted, so nothing else could rebuild
 * it), the client goes on, and {@code summary.json} equals the uninterrupted single-node campaign's byte for byte.
 */
class CoordinatorSnapshotRestartTest {
  // enough runs that the campaign is still going when the node has shut down (a graceful stop takes a while,
  // and on a quiet machine 24 runs finished within it)
  static final int SEEDS = 60;
  static final String TOKEN = "snapshot-restart-token-0123456789";

  static ClusterNode start(Path data, int port, int http) throws Exception {
    Config extra = ConfigFactory.parseString("""
        devemu.http.token = "%s"
        devemu.node.snapshot-every = 3
        devemu.deployment.nodes = [ { host = "127.0.0.1", port = %d, http-port = %d, roles = [worker, coordinator] } ]
        pekko.cluster.periodic-tasks-initial-delay = 100ms
        pekko.cluster.gossip-interval = 200ms
        pekko.cluster.leader-actions-interval = 100ms
        """.formatted(TOKEN, port, http));
    return ClusterNode.start(NodeConfig.load(null, 1, new NodeConfig.Overrides(null, null, null, data, 1), extra));
  }

  static long query(Path data, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + data.resolve("journal"), "sa", "");
        ResultSet r = c.createStatement().executeQuery(sql)) {
      assertTrue(r.next());
      return r.getLong(1);
    }
  }

  @Test
  void aCoordinatorRestartedFromASnapshotAndTheJournalTailGoesOnTheSame(@TempDir Path tmp) throws Exception {
    Path scenario = SingleNodeCampaign.scenario(tmp, "snapshot");
    Path single = SingleNodeCampaign.run(scenario, SEEDS, tmp.resolve("single"));
    Path data = tmp.resolve("data");
    Path tokenFile = tmp.resolve("token");
    Files.writeString(tokenFile, TOKEN);
    Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    int port = LocalCluster.freePort();
    int http = LocalCluster.freePort();
    Path out = tmp.resolve("restarted");

    ClusterNode first = start(data, port, http);
    CompletableFuture<SingleNodeCampaign.Cli> campaign;
    try {
      campaign = SingleNodeCampaign.devemuInBackground("campaign", scenario.toString(), "--runs",
          String.valueOf(SEEDS), "--out", out.toString(), "--cluster", first.httpAddress(), "--token-file",
          tokenFile.toString());
      Path results = out.resolve(ResultLog.FILE);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(results) || Files.readAllLines(results).size() < 8) {
        assertFalse(campaign.isDone(), () -> "the campaign ended before the restart: " + campaign.join());
        assertTrue(System.nanoTime() < deadline, "the campaign did not get under way");
        Thread.sleep(10);
      }
    } finally {
      first.close();
    }
    assertFalse(campaign.isDone(), "finished before the node stopped: nothing to recover");
    // The journal as the restarted node finds it: a snapshot, and the events before it gone.
    long snapshots = query(data, "SELECT COUNT(*) FROM \"snapshot\"");
    long firstEvent = query(data, "SELECT MIN(\"sequence_number\") FROM \"event_journal\"");
    long lastSnapshot = query(data, "SELECT MAX(\"sequence_number\") FROM \"snapshot\"");
    assertTrue(snapshots >= 1, "no snapshot was taken");
    assertTrue(firstEvent > 1, "the events before the snapshot are still there (first " + firstEvent + ")");
    assertTrue(firstEvent <= lastSnapshot + 1, "events between the snapshot and the tail are missing");

    ClusterNode second = start(data, port, http);
    try {
      SingleNodeCampaign.Cli done = campaign.get(120, TimeUnit.SECONDS);
      assertEquals(0, done.code(), done.out() + done.err());
      JsonNode c = LocalCluster.campaign(ClusterCampaigns.status(second.httpAddress(), TOKEN),
          SingleNodeCampaign.campaignId(out));
      assertEquals(2 * SEEDS, c.path("done").asLong(), c.toString());
      assertEquals(2 * SEEDS, c.path("planned").asLong(), c.toString());
    } finally {
      second.close();
    }
    SingleNodeCampaign.assertSameAs(single, out, SEEDS);
  }
}
