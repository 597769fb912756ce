package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a worker node in the middle of a campaign: the node leaves the cluster (nobody has to find it
 * unreachable and down it) and exits with 143 as a JVM does after SIGTERM, the runs it held go back to the coordinator and run elsewhere, and no run is lost or counted twice —
 * {@code results.jsonl} has each key once, the coordinator counts each once, and {@code summary.json} equals the
 * single-node campaign's.
 */
class ClusterGracefulLeaveTest {
  static final int SEEDS = 14;

  @Test
  void aWorkerNodeStoppedWithSigtermHandsItsRunsBack(@TempDir Path tmp) throws Exception {
    try (LocalCluster cluster = new LocalCluster("graceful-leave", tmp, 2, "")) {
      cluster.startAll(1, 2); // node 1 forms the cluster and hosts the coordinator
      cluster.awaitStatus(1, s -> LocalCluster.upMembers(s) == 2 && s.path("workers").size() == 2, 90,
          "two members up with their workers");
      Path scenario = SingleNodeCampaign.scenario(tmp, "leave");
      Path single = SingleNodeCampaign.run(scenario, SEEDS, tmp.resolve("leave-single"));
      String id = SingleNodeCampaign.campaignId(single);
      Path folder = tmp.resolve("leave");
      CompletableFuture<SingleNodeCampaign.Cli> campaign = SingleNodeCampaign.devemuInBackground("campaign",
          scenario.toString(), "--runs", String.valueOf(SEEDS), "--out", folder.toString(), "--cluster",
          cluster.door(1), "--token-file", cluster.tokenFile().toString());
      String leaver = cluster.address(2);
      JsonNode before = cluster.awaitStatus(1, s -> {
        JsonNode c = LocalCluster.campaign(s, id);
        return c != null && c.path("done").asLong() >= 4 && c.path("runningByNode").path(leaver).asLong() > 0;
      }, 60, "node 2 running runs of the campaign");
      long termAt = System.nanoTime();
      int code = cluster.terminate(2, 45);
      System.err.printf("graceful-leave: node 2 exited %.1f s after SIGTERM%n", (System.nanoTime() - termAt) / 1e9);
      // 128 + 15: the JVM ends a SIGTERM with that code once its shutdown hooks (the cluster leave) are done.
      assertEquals(143, code, Files.readString(cluster.log(2)));
      assertTrue(LocalCluster.campaign(before, id).path("done").asLong() < 2 * SEEDS, "finished before SIGTERM");

      SingleNodeCampaign.Cli r = campaign.get(120, TimeUnit.SECONDS);
      assertEquals(0, r.code(), r.out() + r.err());
      SingleNodeCampaign.assertSameAs(single, folder, SEEDS);
      JsonNode after = cluster.awaitStatus(1, s -> LocalCluster.upMembers(s) == 1 && s.path("members").size() == 1,
          30, "node 2 gone from the members");
      JsonNode c = LocalCluster.campaign(after, id);
      assertEquals(2 * SEEDS, c.path("done").asLong(), c.toString());
      long sum = 0;
      for (JsonNode n : c.path("doneByNode")) sum += n.asLong();
      assertEquals(2 * SEEDS, sum, "each run counted once: " + c);
      assertTrue(c.path("doneByNode").path(leaver).asLong() > 0, "node 2 recorded nothing before it left: " + c);
      String coordinatorLog = Files.readString(cluster.log(1));
      assertTrue(coordinatorLog.contains("worker on " + leaver + " is gone"), coordinatorLog);
      // It left: nobody had to find it unreachable and down it (as after a SIGKILL).
      assertFalse(coordinatorLog.contains("UNREACHABLE [Member(" + leaver), coordinatorLog);
      assertFalse(coordinatorLog.matches("(?s).*SBR took decision.*" + java.util.regex.Pattern.quote(leaver) + ".*"),
          coordinatorLog);
    }
  }
}
