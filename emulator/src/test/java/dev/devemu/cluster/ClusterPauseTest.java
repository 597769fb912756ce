package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No hidden single point of failure: three nodes with their journal in PostgreSQL (a database none of them hosts),
 * and SIGSTOP — the process stays, its sockets stay open, it answers nothing — first of a plain worker, then of the
 * coordinator's node (the node that, with the old shared H2 file, served the journal to everyone). Progress goes on
 * while the worker is paused, and resumes while the coordinator's node is still paused, within the failure
 * detection time (heartbeat pause 3 s + split brain resolver 3 s here, plus the singleton's move and recovery)
 * instead of after the pause; the campaign's {@code summary.json} equals the single-node one.
 */
class ClusterPauseTest {
  static final int SEEDS = 100;
  /** How long a node stays paused at most; progress must come back well before. */
  static final long PAUSE_SECONDS = 30;

  @Test
  void pausingAnyOneNodeStopsProgressForAtMostTheFailureDetectionTime(@TempDir Path tmp) throws Exception {
    try (LocalCluster cluster = new LocalCluster("pause", tmp, 3, "")) {
      cluster.startAll(1, 2, 3); // node 1 forms the cluster and hosts the coordinator
      cluster.awaitStatus(2, s -> LocalCluster.upMembers(s) == 3 && s.path("workers").size() == 3, 90,
          "three members up with their workers");
      JsonNode first = cluster.awaitStatus(2, s -> !s.path("coordinator").isNull(), 30, "a coordinator");
      int found = 0;
      for (int k = 1; k <= 3; k++) if (cluster.address(k).equals(first.path("coordinator").asText())) found = k;
      assertTrue(found > 0, first.toString());
      int coordinatorNode = found;
      int worker = coordinatorNode == 3 ? 2 : 3;
      int observer = 6 - coordinatorNode - worker; // the node whose door the test and the client use

      Path scenario = SingleNodeCampaign.scenario(tmp, "pause");
      Path single = SingleNodeCampaign.run(scenario, SEEDS, tmp.resolve("pause-single"));
      String id = SingleNodeCampaign.campaignId(single);
      Path folder = tmp.resolve("pause");
      CompletableFuture<SingleNodeCampaign.Cli> campaign = SingleNodeCampaign.devemuInBackground("campaign",
          scenario.toString(), "--runs", String.valueOf(SEEDS), "--out", folder.toString(),
          "--cluster", cluster.doors(observer), "--token-file", cluster.tokenFile().toString());

      // 1. A plain worker paused: the others go on at once (nobody waits for it).
      long atWorkerPause = done(cluster.awaitStatus(observer, s -> done(s, id) >= 8, 90, "the campaign under way"), id);
      cluster.pause(worker);
      long workerPausedAt = System.nanoTime();
      try {
        cluster.awaitStatus(observer, s -> done(s, id) >= atWorkerPause + 6, (int) PAUSE_SECONDS,
            "progress while a worker is paused");
      } finally {
        cluster.resume(worker);
      }
      double workerGap = (System.nanoTime() - workerPausedAt) / 1e9;

      // 2. The coordinator's node paused: progress stops until it is downed and the coordinator has moved.
      JsonNode before = cluster.awaitStatus(observer, s -> done(s, id) > 0, 30, "the coordinator answering");
      long atCoordinatorPause = done(before, id);
      assertTrue(atCoordinatorPause < 2 * SEEDS - 10, "too little left to watch: " + atCoordinatorPause);
      cluster.pause(coordinatorNode);
      long coordinatorPausedAt = System.nanoTime();
      double coordinatorGap;
      try {
        JsonNode moved = cluster.awaitStatus(observer, s -> done(s, id) > atCoordinatorPause
            && !s.path("coordinator").asText().equals(cluster.address(coordinatorNode)), (int) PAUSE_SECONDS,
            "progress under a new coordinator while the old one's node is paused");
        coordinatorGap = (System.nanoTime() - coordinatorPausedAt) / 1e9;
        assertNotEquals(cluster.address(coordinatorNode), moved.path("coordinator").asText());
      } finally {
        cluster.resume(coordinatorNode); // it finds itself downed and stops
      }
      System.err.printf("pause test: progress went on %.1f s after pausing a worker, resumed %.1f s after pausing "
          + "the coordinator's node (paused at most %d s)%n", workerGap, coordinatorGap, PAUSE_SECONDS);

      SingleNodeCampaign.Cli r = campaign.get(180, TimeUnit.SECONDS);
      assertEquals(0, r.code(), r.out() + r.err());
      SingleNodeCampaign.assertSameAs(single, folder, SEEDS);
    }
  }

  private static long done(JsonNode status, String id) {
    JsonNode c = LocalCluster.campaign(status, id);
    return c == null ? 0 : c.path("done").asLong();
  }
}
