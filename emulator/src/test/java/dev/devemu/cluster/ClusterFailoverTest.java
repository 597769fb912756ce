package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.devemu.campaign.CampaignBackend;
import dev.devemu.campaign.CampaignFolder;
import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.CampaignProgress;
import dev.devemu.campaign.CampaignRunner;
import dev.devemu.campaign.CampaignSpec;
import dev.devemu.campaign.RunKey;
import dev.devemu.campaign.RunRecord;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node JVMs on loopback run campaigns through the campaign path ({@code campaign --cluster …}, or
 * {@link CampaignRunner} with the cluster backend) while nodes crash (SIGKILL). Whatever dies, every key gets
 * exactly one result, and the campaign's {@code summary.json} equals, byte for byte, the one the single-node
 * campaign of the same seeds writes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailoverTest {
  /** Seeds per campaign: 18 × (raw, safe) = 36 runs. */
  static final int SEEDS = 18;

  LocalCluster cluster;
  Path tmp;

  @BeforeAll
  void startCluster(@TempDir Path tmp) throws Exception {
    this.tmp = tmp;
    // Snapshots every 10 events: the coordinator that recovers after its node's SIGKILL reads a snapshot from
    // PostgreSQL and the events since, not the whole journal.
    cluster = new LocalCluster("failover", tmp, 3, "devemu.node.snapshot-every = 10");
    cluster.startAll(1, 2, 3); // node 1, the first seed node, forms the cluster and hosts the coordinator
    cluster.awaitStatus(1, s -> LocalCluster.upMembers(s) == 3 && s.path("workers").size() == 3, 90,
        "three members up with their workers");
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) cluster.close();
  }

  private static long done(JsonNode status, String id) {
    JsonNode c = LocalCluster.campaign(status, id);
    return c == null ? 0 : c.path("done").asLong();
  }

  /**
   * Results reach clients only after the journal acknowledged them. Had a crash lost acknowledged events, the new
   * coordinator would record those keys again in another order, and the client would have to read again.
   */
  private static void assertJournalKeptWhatItAcknowledged(String clientLines) {
    assertFalse(clientLines.contains("reading again"), clientLines);
  }

  @Test
  @Order(1)
  void aWorkerKilledMidCampaignLosesNoResult() throws Exception {
    Path scenario = SingleNodeCampaign.scenario(tmp, "kill-worker");
    Path single = SingleNodeCampaign.run(scenario, SEEDS, tmp.resolve("kill-worker-single"));
    String id = SingleNodeCampaign.campaignId(single);
    Path folder = tmp.resolve("kill-worker");
    CompletableFuture<SingleNodeCampaign.Cli> campaign = SingleNodeCampaign.devemuInBackground("campaign",
        scenario.toString(), "--runs", String.valueOf(SEEDS), "--out", folder.toString(),
        "--cluster", cluster.doors(1), "--token-file", cluster.tokenFile().toString());
    String victim = cluster.address(3);
    // Kill node 3 while it holds a run and the campaign is under way.
    JsonNode before = cluster.awaitStatus(1, s -> {
      JsonNode c = LocalCluster.campaign(s, id);
      return c != null && c.path("done").asLong() >= 6 && c.path("runningByNode").path(victim).asLong() > 0;
    }, 60, "node 3 running a run of the campaign");
    cluster.kill(3);
    long doneAtKill = done(before, id);
    assertTrue(doneAtKill < 2 * SEEDS, "the campaign finished before the kill: " + doneAtKill);

    SingleNodeCampaign.Cli r = campaign.get(120, TimeUnit.SECONDS);
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("cluster " + cluster.doors(1)), r.out());
    SingleNodeCampaign.assertSameAs(single, folder, SEEDS);
    assertJournalKeptWhatItAcknowledged(r.err());
    JsonNode after = cluster.awaitStatus(1, s -> LocalCluster.upMembers(s) == 2, 30, "node 3 downed");
    JsonNode c = LocalCluster.campaign(after, id);
    assertEquals(2 * SEEDS, c.path("done").asLong());
    assertTrue(c.path("finished").asBoolean());
    long sum = 0;
    for (JsonNode n : c.path("doneByNode")) sum += n.asLong();
    assertEquals(2 * SEEDS, sum, "runs per node add up to the plan: " + c);

    // --resume goes back to the cluster the folder names, and runs only the new seeds.
    SingleNodeCampaign.Cli more = SingleNodeCampaign.devemu("campaign", "--resume", folder.toString(), "--runs",
        String.valueOf(SEEDS + 2), "--token-file", cluster.tokenFile().toString());
    assertEquals(0, more.code(), more.out() + more.err());
    assertTrue(more.out().contains("cluster " + cluster.doors(1)), more.out());
    assertTrue(more.out().contains("4 executed now, " + 2 * SEEDS + " from earlier sessions"), more.out());
    List<String> lines = Files.readAllLines(folder.resolve("results.jsonl"));
    assertEquals(2 * SEEDS + 4, lines.size());
    assertEquals(lines.size(), lines.stream().distinct().count());

    cluster.start(3); // back to three nodes for the next test
    cluster.awaitStatus(1, s -> LocalCluster.upMembers(s) == 3 && s.path("workers").size() == 3, 60,
        "node 3 back");
  }

  /** A backend that counts how often each key reaches the campaign (the client promises once). */
  static final class Counting implements CampaignBackend {
    final CampaignBackend inner;
    final Map<RunKey, AtomicInteger> deliveries = new ConcurrentHashMap<>();

    Counting(CampaignBackend inner) {
      this.inner = inner;
    }

    @Override
    public void execute(CampaignPlan plan, Set<RunKey> alreadyDone, ResultSink sink) throws InterruptedException {
      inner.execute(plan, alreadyDone, new ResultSink() {
        @Override
        public void accept(RunRecord record) {
          deliveries.computeIfAbsent(record.key(), k -> new AtomicInteger()).incrementAndGet();
          sink.accept(record);
        }

        @Override
        public boolean wantsMore() {
          return sink.wantsMore();
        }
      });
    }
  }

  @Test
  @Order(2)
  void theCoordinatorsNodeRestartedMidCampaignLosesNoResult() throws Exception {
    JsonNode status = cluster.awaitStatus(2, s -> !s.path("coordinator").isNull(), 30, "a coordinator");
    String coordinator = status.path("coordinator").asText();
    int victim = 0;
    for (int k = 1; k <= 3; k++) if (cluster.address(k).equals(coordinator)) victim = k;
    assertTrue(victim > 0, "coordinator " + coordinator + " is none of our nodes");
    int survivor = victim == 1 ? 2 : 1;

    Path scenario = SingleNodeCampaign.scenario(tmp, "restart-coordinator");
    Path single = SingleNodeCampaign.run(scenario, SEEDS, tmp.resolve("restart-coordinator-single"));
    String id = SingleNodeCampaign.campaignId(single);
    Path folder = tmp.resolve("restart-coordinator");
    List<String> clientLines = new CopyOnWriteArrayList<>();
    Counting backend = new Counting(ClusterCampaigns.connect(cluster.doors(survivor), cluster.token(),
        ClusterCampaigns.Options.defaults().withGiveUpAfter(Duration.ofSeconds(90)).withProgress(line -> {
          clientLines.add(line);
          System.err.println(java.time.LocalTime.now() + " client " + id + ": " + line);
        })));
    CampaignSpec spec = CampaignFolder.readSpec(single);
    Scenario s = ScenarioLoader.parse(scenario.toString(), SingleNodeCampaign.SCENARIO);
    CampaignRunner runner = new CampaignRunner(CampaignFolder.create(folder, spec, SingleNodeCampaign.SCENARIO),
        s.durationNanos() * s.devices().size(), CampaignProgress.silent());
    CompletableFuture<CampaignRunner.Outcome> campaign = CompletableFuture.supplyAsync(() -> {
      try {
        return runner.run(backend, "cluster", 3, "test");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    JsonNode before = cluster.awaitStatus(survivor, st -> done(st, id) >= 6, 60, "the campaign under way");
    cluster.kill(victim);
    assertTrue(done(before, id) < 2 * SEEDS, "the campaign finished before the kill");
    cluster.start(victim); // same address, same data directory: a new incarnation of the node

    campaign.get(120, TimeUnit.SECONDS);
    SingleNodeCampaign.assertSameAs(single, folder, SEEDS);
    for (Map.Entry<RunKey, AtomicInteger> e : backend.deliveries.entrySet()) {
      assertEquals(1, e.getValue().get(), "result of " + e.getKey() + " delivered more than once");
    }
    assertEquals(2 * SEEDS, backend.deliveries.size());
    assertJournalKeptWhatItAcknowledged(String.join("\n", clientLines));
    JsonNode after = cluster.awaitStatus(survivor, st -> LocalCluster.upMembers(st) == 3
        && LocalCluster.campaign(st, id) != null, 60, "three members again");
    assertEquals(2 * SEEDS, LocalCluster.campaign(after, id).path("done").asLong());
    // The earlier campaign survived the move too: its results (and the two seeds its resume added) are still there.
    String earlier = SingleNodeCampaign.campaignId(tmp.resolve("kill-worker"));
    assertEquals(2 * SEEDS + 4, LocalCluster.campaign(after, earlier).path("done").asLong());
  }

  @Test
  @Order(3)
  void garbageOnARemotingPortIsDroppedAndTheNodeStaysUp() throws Exception {
    int port = cluster.port(2);
    // Raw bytes that are no Artery stream at all.
    java.util.Random random = new java.util.Random(6);
    for (int i = 0; i < 3; i++) {
      try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
        byte[] junk = new byte[64 * 1024];
        random.nextBytes(junk);
        s.getOutputStream().write(junk);
        s.getOutputStream().flush();
      } catch (java.io.IOException closedOnUs) {
        // the node may hang up mid-write: that is the point
      }
    }
    // Well-framed remoting messages whose devemu payload is corrupt.
    ForgedFrames.send("127.0.0.1", port, 5);

    JsonNode status = cluster.awaitStatus(2, s -> LocalCluster.upMembers(s) == 3, 30, "three members up");
    assertEquals(cluster.address(2), status.path("self").asText());
    assertTrue(cluster.alive(2));
    String log = java.nio.file.Files.readString(cluster.log(2));
    assertTrue(log.contains("corrupt RunCompleted frame"), "the corrupt frame was not logged:\n" + log);
    // And it still does its work: a small campaign completes with every result.
    List<RunKey> runs = new ArrayList<>();
    for (int seed = 1; seed <= 6; seed++) runs.add(new RunKey(seed, dev.devemu.kernel.Variant.RAW));
    Map<RunKey, RunRecord> results = new ConcurrentHashMap<>();
    ClusterCampaigns.connect(cluster.door(2), cluster.token()).execute(new CampaignPlan("after-garbage", "after-garbage.conf",
        SingleNodeCampaign.SCENARIO, runs, 0), Set.of(), r -> results.put(r.key(), r));
    assertEquals(Set.copyOf(runs), results.keySet());
  }
}
