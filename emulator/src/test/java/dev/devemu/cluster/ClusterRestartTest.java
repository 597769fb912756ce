package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.devemu.campaign.CampaignProgress;
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
 * the default) is SIGKILLed mid-way, and the campaign goes on over the journal in its folder. The new cluster
 * recovers what the old one recorded (including results the killed client had not written yet), runs only what is
 * missing, and the campaign's {@code summary.json} equals the uninterrupted single-node one.
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

    try (EmbeddedCluster cluster = EmbeddedCluster.start(folder.resolve(CampaignRunner.JOURNAL_DIR), 1,
        ClusterCampaigns.Options.defaults())) {
      // What `campaign --resume` does, with this cluster's address known to the test.
      Scenario s = ScenarioLoader.parse(scenario.toString(), SingleNodeCampaign.SCENARIO);
      CampaignRunner runner = new CampaignRunner(folder, CampaignRunner.readSpec(folder),
          CampaignRunner.readScenario(folder), s.durationNanos() * s.devices().size(), CampaignProgress.silent());
      CampaignRunner.Outcome resumed = runner.run(cluster, "embedded-cluster", 1, "test");
      assertTrue(resumed.reused() >= 6 && resumed.reused() < 2 * SEEDS, "killed mid-way: " + resumed.reused());
      assertEquals(2 * SEEDS - resumed.reused(), resumed.executed(), "each missing key once");

      JsonNode c = LocalCluster.campaign(ClusterCampaigns.status(cluster.door(), cluster.token()), id);
      assertEquals(2 * SEEDS, c.path("done").asLong(), c.toString());
      assertEquals(2, c.path("doneByNode").size(), "the killed campaign's node and this one: " + c);
      long byKilledNode = 0;
      for (Iterator<Map.Entry<String, JsonNode>> it = c.path("doneByNode").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getKey().equals(cluster.address())) byKilledNode = e.getValue().asLong();
      }
      // What the killed node recorded was kept, not run again (it had recorded at least what its client wrote).
      assertTrue(byKilledNode >= resumed.reused(), c.toString());
      assertEquals(2 * SEEDS - byKilledNode, c.path("doneByNode").path(cluster.address()).asLong(), c.toString());

      // What `./devemu status` shows a person.
      SingleNodeCampaign.Cli status = SingleNodeCampaign.devemu("status", "--cluster", cluster.door(), "--token-file",
          cluster.tokenFile().toString());
      assertEquals(0, status.code(), status.err());
      String text = status.out();
      assertTrue(text.matches("(?s).*" + Pattern.quote(cluster.address()) + " +Up +reachable.*"), text);
      assertTrue(text.contains("coordinator: " + cluster.address()), text);
      assertTrue(text.contains(id + " " + scenario + ": " + 2 * SEEDS + "/" + 2 * SEEDS + " runs finished"), text);
      assertTrue(text.contains(cluster.address() + "=" + (2 * SEEDS - byKilledNode)), text);
    }
    SingleNodeCampaign.assertSameAs(single, folder, SEEDS);
  }
}
