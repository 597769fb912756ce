package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.devemu.campaign.CampaignBackend;
import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import dev.devemu.testbed.RunResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
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
 * Three node JVMs on loopback run campaigns while nodes crash (SIGKILL). Whatever dies, every key of the plan
 * gets exactly one result, and the result set equals, byte for byte, the single-node reference of the same keys.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailoverTest {
  LocalCluster cluster;

  /** Small, but each run takes long enough (tens of ms) that a kill lands in the middle of the campaign. */
  static final String SCENARIO = """
      scenario { name = "cluster-race", duration = 40ms }
      machine { cpus = 2, lookahead = 50us }
      devices = [ { type = sample-pcie, slot = "0000:00:02.0", interrupt-rate = 100000 } ]
      drivers = [ { name = my_pcie, variant = raw } ]
      faults { events = [ { at = 25ms, action = surprise-unplug, slot = "0000:00:02.0" } ] }
      """;

  @BeforeAll
  void startCluster(@TempDir Path tmp) throws Exception {
    cluster = new LocalCluster("failover", tmp, 3, "");
    cluster.startAll(1, 2, 3); // node 1, the first seed node, forms the cluster and hosts the coordinator
    cluster.awaitStatus(1, s -> LocalCluster.upMembers(s) == 3 && s.path("workers").size() == 3, 90,
        "three members up with their workers");
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) cluster.close();
  }

  static CampaignPlan plan(String id, int seeds) {
    List<RunKey> runs = new ArrayList<>();
    for (int s = 1; s <= seeds; s++) runs.add(new RunKey(s, s % 3 == 0 ? "safe" : "raw"));
    return new CampaignPlan(id, id + ".conf", SCENARIO, runs, 0);
  }

  /** Runs a campaign through the client in the background, counting how often each key reaches the sink. */
  static final class Client {
    final Map<RunKey, RunResult> results = new ConcurrentHashMap<>();
    final Map<RunKey, AtomicInteger> deliveries = new ConcurrentHashMap<>();
    final List<String> progress = new java.util.concurrent.CopyOnWriteArrayList<>();
    final CompletableFuture<Void> done;

    Client(String doors, CampaignPlan plan) {
      CampaignBackend backend = ClusterCampaigns.connect(doors,
          ClusterCampaigns.Options.defaults().withGiveUpAfter(Duration.ofSeconds(90))
              .withProgress(line -> {
                progress.add(line);
                System.err.println(java.time.LocalTime.now() + " client " + plan.campaignId() + ": " + line);
              }));
      done = CompletableFuture.runAsync(() -> {
        try {
          backend.execute(plan, Set.of(), (k, r) -> {
            deliveries.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
            results.put(k, r);
          });
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }

  private void assertSameAsSingleNode(CampaignPlan plan, Client client) throws Exception {
    client.done.get(120, TimeUnit.SECONDS);
    for (RunKey k : plan.runs()) {
      assertNotNull(client.deliveries.get(k), "no result for " + k);
      assertEquals(1, client.deliveries.get(k).get(), "result of " + k + " delivered more than once");
    }
    assertEquals(plan.runs().size(), client.results.size(), "results for keys outside the plan");
    SortedMap<RunKey, RunResult> reference = ReferenceResults.run(plan);
    long bugs = reference.values().stream().filter(RunResult::bugFound).count();
    assertTrue(bugs > 0 && bugs < plan.runs().size(), "the scenario should find the bug for some seeds, not all: " + bugs);
    assertArrayEquals(ReferenceResults.canonical(reference), ReferenceResults.canonical(new TreeMap<>(client.results)),
        "cluster results differ from the single-node results of the same keys");
  }

  /**
   * Results reach clients only after the journal acknowledged them. Had a crash lost acknowledged events, the new
   * coordinator would record those keys again in another order, and the client would have to read again.
   */
  private static void assertJournalKeptWhatItAcknowledged(Client client) {
    for (String line : client.progress) assertFalse(line.contains("reading again"), line);
  }

  private static long done(JsonNode status, String id) {
    JsonNode c = LocalCluster.campaign(status, id);
    return c == null ? 0 : c.path("done").asLong();
  }

  @Test
  @Order(1)
  void aWorkerKilledMidCampaignLosesNoResult() throws Exception {
    CampaignPlan plan = plan("kill-worker", 36);
    Client client = new Client(cluster.doors(1), plan);
    String victim = cluster.address(3);
    // Kill node 3 while it holds a run and the campaign is under way.
    JsonNode before = cluster.awaitStatus(1, s -> {
      JsonNode c = LocalCluster.campaign(s, "kill-worker");
      return c != null && c.path("done").asLong() >= 6 && c.path("runningByNode").path(victim).asLong() > 0;
    }, 60, "node 3 running a run of the campaign");
    cluster.kill(3);
    long doneAtKill = done(before, "kill-worker");
    assertTrue(doneAtKill < plan.runs().size(), "the campaign finished before the kill: " + doneAtKill);

    assertSameAsSingleNode(plan, client);
    JsonNode after = cluster.awaitStatus(1, s -> LocalCluster.upMembers(s) == 2, 30, "node 3 downed");
    JsonNode c = LocalCluster.campaign(after, "kill-worker");
    assertEquals(plan.runs().size(), c.path("done").asLong());
    assertTrue(c.path("finished").asBoolean());
    assertJournalKeptWhatItAcknowledged(client);
    long sum = 0;
    for (JsonNode n : c.path("doneByNode")) sum += n.asLong();
    assertEquals(plan.runs().size(), sum, "runs per node add up to the plan: " + c);

    cluster.start(3); // back to three nodes for the next test
    cluster.awaitStatus(1, s -> LocalCluster.upMembers(s) == 3 && s.path("workers").size() == 3, 60,
        "node 3 back");
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

    CampaignPlan plan = plan("restart-coordinator", 36);
    Client client = new Client(cluster.doors(survivor), plan);
    JsonNode before = cluster.awaitStatus(survivor, s -> done(s, "restart-coordinator") >= 6, 60,
        "the campaign under way");
    cluster.kill(victim);
    assertTrue(done(before, "restart-coordinator") < plan.runs().size(), "the campaign finished before the kill");
    cluster.start(victim); // same address, same data directory: a new incarnation of the node

    assertSameAsSingleNode(plan, client);
    JsonNode after = cluster.awaitStatus(survivor, s -> LocalCluster.upMembers(s) == 3
        && LocalCluster.campaign(s, "restart-coordinator") != null, 60, "three members again");
    JsonNode c = LocalCluster.campaign(after, "restart-coordinator");
    assertEquals(plan.runs().size(), c.path("done").asLong());
    assertJournalKeptWhatItAcknowledged(client);
    assertNotEquals(coordinator + "#gone", after.path("coordinator").asText());
    // The earlier campaign survived the move too: its results are still in the journal.
    assertEquals(36, LocalCluster.campaign(after, "kill-worker").path("done").asLong());
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
    CampaignPlan plan = plan("after-garbage", 6);
    Client client = new Client(cluster.door(2), plan);
    client.done.get(60, TimeUnit.SECONDS);
    assertEquals(6, client.results.size());
  }
}
