package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.devemu.campaign.CampaignProgress;
import dev.devemu.campaign.CampaignFolder;
import dev.devemu.campaign.CampaignRunner;
import dev.devemu.campaign.ResultLog;
import dev.devemu.cli.Main;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full cluster restart in the middle of a campaign: a {@code campaign} process (its embedded single-node cluster,
 * the default) is SIGKILLed mid-way, and the campaign goes on from its folder's {@code results.jsonl} (the one copy
 * of its results on disk: the embedded journal is in memory). The new cluster runs only what the file lacks, and the
 * campaign's {@code summary.json} equals the uninterrupted single-node one.
 */
class ClusterRestartTest {
  static final int SEEDS = 12;

  @Test
  void aCampaignResumesAfterItsClusterWasKilled(@TempDir Path tmp) throws Exception {
    Path scenario = SingleNodeCampaign.scenario(tmp, "resume");
    Path single = SingleNodeCampaign.run(scenario, SEEDS, tmp.resolve("single"));
    String id = SingleNodeCampaign.campaignId(single);

    // `./devemu campaign` in a JVM of its own, one lane, SIGKILLed once it has written six results.
    Path folder = tmp.resolve("killed");
    Path log = Path.of("target", "cluster-test-logs", "restart", "campaign.log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
        "-Xss4m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "campaign",
        scenario.toString(), "--runs", String.valueOf(SEEDS), "--out", folder.toString(), "--workers", "1")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Path results = folder.resolve(ResultLog.FILE);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (!Files.exists(results) || Files.readAllLines(results).size() < 6) {
        assertTrue(p.isAlive(), "the campaign process ended early: " + Files.readString(log));
        assertTrue(System.nanoTime() < deadline, "the campaign did not get under way: " + Files.readString(log));
        Thread.sleep(20);
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }

    // The embedded cluster's journal was in the killed JVM's memory: results.jsonl is the record, written once.
    assertFalse(Files.exists(folder.resolve(CampaignFolder.JOURNAL_DIR)), "the embedded journal wrote to disk");
    try (EmbeddedCluster cluster = EmbeddedCluster.start(folder, 1, ClusterCampaigns.Options.defaults())) {
      // What `campaign --resume` does, with this cluster's address known to the test.
      Scenario s = ScenarioLoader.parse(scenario.toString(), SingleNodeCampaign.SCENARIO);
      CampaignRunner runner = new CampaignRunner(CampaignFolder.resume(folder,
          new CampaignFolder.ResumeRequest(null, null, null, null)), s.durationNanos() * s.devices().size(),
          CampaignProgress.silent());
      CampaignRunner.Outcome resumed = runner.run(cluster, "embedded-cluster", 1, "test");
      assertTrue(resumed.reused() >= 6 && resumed.reused() < 2 * SEEDS, "killed mid-way: " + resumed.reused());
      assertEquals(2 * SEEDS - resumed.reused(), resumed.executed(), "each missing key once");
      assertEquals(2 * SEEDS, Files.readAllLines(folder.resolve(ResultLog.FILE)).size(), "one line per key");

      // The new cluster was asked for what results.jsonl lacked, and nothing else.
      long missing = 2 * SEEDS - resumed.reused();
      JsonNode c = LocalCluster.campaign(ClusterCampaigns.status(cluster.door(), cluster.token()), id);
      assertEquals(missing, c.path("done").asLong(), c.toString());
      assertEquals(missing, c.path("doneByNode").path(cluster.address()).asLong(), c.toString());

      // What `./devemu status` shows a person.
      SingleNodeCampaign.Cli status = SingleNodeCampaign.devemu("status", "--cluster", cluster.door(), "--token-file",
          cluster.tokenFile().toString());
      assertEquals(0, status.code(), status.err());
      String text = status.out();
      assertTrue(text.matches("(?s).*" + Pattern.quote(cluster.address()) + " +Up +reachable.*"), text);
      assertTrue(text.contains("coordinator: " + cluster.address()), text);
      assertTrue(text.contains(id + " " + scenario + ": " + missing + "/" + missing + " runs finished"), text);
      assertTrue(text.contains(cluster.address() + "=" + missing), text);
    }
    SingleNodeCampaign.assertSameAs(single, folder, SEEDS);
  }
}
