package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import dev.devemu.testbed.RunResult;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full cluster restart (here the embedded single-node cluster) in the middle of a campaign: the new cluster
 * recovers the recorded results from the journal, the resubmitted campaign runs only what is missing, and the
 * results equal the single-node reference.
 */
class ClusterRestartTest {
  @Test
  void aCampaignResumesAfterTheWholeClusterRestarted(@TempDir Path data) throws Exception {
    CampaignPlan plan = ClusterFailoverTest.plan("resume", 24);
    Map<RunKey, RunResult> first = new ConcurrentHashMap<>();
    String firstAddress;
    long doneBeforeStop;
    try (EmbeddedCluster cluster = EmbeddedCluster.start(data, 1, ClusterCampaigns.Options.defaults())) {
      firstAddress = cluster.address();
      Thread client = new Thread(() -> {
        try {
          cluster.execute(plan, Set.of(), first::put);
        } catch (InterruptedException | IllegalStateException stopped) {
          // the test stops this client with the cluster
        }
      });
      client.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (first.size() < 6 && System.nanoTime() < deadline) Thread.sleep(50);
      assertTrue(first.size() >= 6, "the campaign did not get under way");
      client.interrupt();
      client.join(30_000);
      doneBeforeStop = first.size();
    }
    assertTrue(doneBeforeStop < plan.runs().size(), "the campaign finished before the restart");

    Map<RunKey, RunResult> second = new TreeMap<>();
    try (EmbeddedCluster cluster = EmbeddedCluster.start(data, 1, ClusterCampaigns.Options.defaults())) {
      assertNotEquals(firstAddress, cluster.address(), "a new cluster (new ports) on the same journal");
      cluster.execute(plan, Set.copyOf(first.keySet()), (k, r) -> assertNull(second.put(k, r), "twice: " + k));
      JsonNode c = LocalCluster.campaign(ClusterCampaigns.status(cluster.door()), "resume");
      assertEquals(plan.runs().size(), c.path("done").asLong());
      // What the first cluster recorded was kept, not run again.
      assertTrue(c.path("doneByNode").path(firstAddress).asLong() >= doneBeforeStop, c.toString());
      assertEquals(plan.runs().size() - c.path("doneByNode").path(firstAddress).asLong(),
          c.path("doneByNode").path(cluster.address()).asLong(), c.toString());

      // What `./devemu status` shows a person.
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      int code = dev.devemu.cli.Main.execute(new picocli.CommandLine(new dev.devemu.cli.Main()),
          new java.io.PrintStream(out, true), System.err, "status", "--cluster", cluster.door());
      String text = out.toString();
      assertEquals(0, code, text);
      assertTrue(text.matches("(?s).*" + java.util.regex.Pattern.quote(cluster.address()) + " +Up +reachable.*"), text);
      assertTrue(text.contains("coordinator: " + cluster.address()), text);
      assertTrue(text.contains("resume resume.conf: 24/24 runs finished"), text);
      assertTrue(text.contains(firstAddress + "=" + c.path("doneByNode").path(firstAddress).asLong()), text);
    }
    Set<RunKey> overlap = new HashSet<>(first.keySet());
    overlap.retainAll(second.keySet());
    assertTrue(overlap.isEmpty(), "delivered before and after the restart: " + overlap);
    Map<RunKey, RunResult> all = new TreeMap<>(first);
    all.putAll(second);
    assertArrayEquals(ReferenceResults.canonical(ReferenceResults.run(plan)), ReferenceResults.canonical(all));
  }
}
