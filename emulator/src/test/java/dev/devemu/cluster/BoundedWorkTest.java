package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import dev.devemu.kernel.Variant;
import dev.devemu.campaign.RunRecord;
import dev.devemu.protocol.v1.CampaignPlanProto;
import dev.devemu.protocol.v1.RunKeyProto;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded, cancellable work on one coordinator-only node in this JVM (no worker: planned runs stay pending, so
 * nothing here waits for a simulation): the limits refuse a campaign naming the limit, cancel and delete work
 * through HTTP and the CLI, and a result counts only from the worker the run was handed to (not from a stranger in
 * the cluster, nor from an address outside it).
 */
class BoundedWorkTest {
  static final String TOKEN = "bounded-work-token-0123456789ab";
  static final int MAX_RUNS = 10;
  static final int MAX_TOTAL = 16;
  /** 50 runs of the 40 ms, one-device scenario. */
  static final double MAX_HOURS = 50 * 40e-3 / 3600;

  @TempDir static Path dir;
  static ClusterNode node;
  static Path tokenFile;
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startNode() throws Exception {
    int port = LocalCluster.freePort();
    int http = LocalCluster.freePort();
    var extra = ConfigFactory.parseString("""
        devemu.http.token = "%s"
        devemu.deployment.nodes = [ { host = "127.0.0.1", port = %d, http-port = %d, roles = [coordinator] } ]
        devemu.limits.max-runs-per-campaign = %d
        devemu.limits.max-total-runs = %d
        devemu.limits.max-device-hours-per-campaign = %s
        """.formatted(TOKEN, port, http, MAX_RUNS, MAX_TOTAL, Double.toString(MAX_HOURS)))
        .withFallback(EmbeddedCluster.EMBEDDED);
    node = ClusterNode.start(NodeConfig.load(null, 1, new NodeConfig.Overrides(null, null, null, dir.resolve("data"),
        1), extra));
    tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, TOKEN);
    Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      HttpResponse<String> r = send("GET", "/devemu/status", null);
      if (r.statusCode() == 200 && !new ObjectMapper().readTree(r.body()).path("coordinator").isNull()) break;
      if (System.nanoTime() > deadline) fail("the node's coordinator did not come up: " + r.body());
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  static HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + node.httpAddress() + path))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN);
    b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/x-protobuf").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static byte[] plan(String id, int seeds) {
    CampaignPlanProto.Builder b = CampaignPlanProto.newBuilder().setCampaignId(id).setScenarioFile("bounded.conf")
        .setScenarioSource(SingleNodeCampaign.SCENARIO);
    for (int s = 1; s <= seeds; s++) b.addRuns(RunKeyProto.newBuilder().setSeed(s).setVariant("raw"));
    return b.build().toByteArray();
  }

  static <T> T ask(Function<ActorRef<T>, CampaignCoordinator.Command> message) throws Exception {
    return AskPattern.ask(NodeServices.get(node.system()).coordinator(), message::apply, Duration.ofSeconds(10),
        node.system().scheduler()).toCompletableFuture().get();
  }

  static CampaignCoordinator.CampaignProgress progress(String id) throws Exception {
    return ask(r -> new CampaignCoordinator.GetProgress(id, r));
  }

  @Test
  void limitsRefuseACampaignNamingTheLimit() throws Exception {
    HttpResponse<String> runs = send("POST", "/devemu/campaigns", plan("too-many", MAX_RUNS + 1));
    assertEquals(400, runs.statusCode(), runs.body());
    assertTrue(runs.body().contains("would plan " + (MAX_RUNS + 1) + " runs, over devemu.limits.max-runs-per-campaign = "
        + MAX_RUNS), runs.body());
    assertFalse(progress("too-many").known(), "a refused campaign is not kept");

    // Within the runs limit, over the device-hours one: 10 runs of 400 ms are 100 runs' worth of the 40 ms scenario.
    CampaignPlanProto longer = CampaignPlanProto.parseFrom(plan("too-long", MAX_RUNS)).toBuilder()
        .setDurationNs(400_000_000).build();
    HttpResponse<String> hours = send("POST", "/devemu/campaigns", longer.toByteArray());
    assertEquals(400, hours.statusCode(), hours.body());
    assertTrue(hours.body().contains("over devemu.limits.max-device-hours-per-campaign"), hours.body());

    // The total counts every campaign's runs not yet run: 8 + 8 fit, 8 + 8 + 1 do not.
    assertEquals(200, send("POST", "/devemu/campaigns", plan("total-a", 8)).statusCode());
    assertEquals(200, send("POST", "/devemu/campaigns", plan("total-b", 8)).statusCode());
    HttpResponse<String> total = send("POST", "/devemu/campaigns", plan("total-c", 1));
    assertEquals(400, total.statusCode(), total.body());
    assertTrue(total.body().contains("the cluster would have 17 runs to do, over devemu.limits.max-total-runs = "
        + MAX_TOTAL), total.body());
    // A cancelled campaign's runs no longer count.
    assertEquals(200, send("POST", "/devemu/campaigns/total-a/cancel", null).statusCode());
    assertEquals(200, send("POST", "/devemu/campaigns", plan("total-c", 1)).statusCode());
    for (String id : List.of("total-a", "total-b", "total-c")) send("DELETE", "/devemu/campaigns/" + id, null);

    // Through the CLI: exit 2 (bad input) with the limit's name, before any run.
    Path scenario = SingleNodeCampaign.scenario(dir, "limited");
    SingleNodeCampaign.Cli cli = SingleNodeCampaign.devemu("campaign", scenario.toString(), "--runs",
        String.valueOf(MAX_RUNS), "--out", dir.resolve("limited-out").toString(), "--cluster", node.httpAddress(),
        "--token-file", tokenFile.toString());
    assertEquals(2, cli.code(), cli.out() + cli.err());
    assertTrue(cli.err().contains("over devemu.limits.max-runs-per-campaign = " + MAX_RUNS), cli.err());
  }

  @Test
  void cancelAndDeleteThroughHttp() throws Exception {
    assertEquals(200, send("POST", "/devemu/campaigns", plan("http-c", 3)).statusCode());
    HttpResponse<String> cancelled = send("POST", "/devemu/campaigns/http-c/cancel", null);
    assertEquals(200, cancelled.statusCode(), cancelled.body());
    JsonNode c = new ObjectMapper().readTree(cancelled.body());
    assertTrue(c.path("cancelled").asBoolean() && c.path("finished").asBoolean(), c.toString());
    assertEquals(3, c.path("planned").asLong());
    assertEquals(0, c.path("done").asLong());
    // Cancelled is kept (its progress answers) and refuses to be run again until deleted.
    HttpResponse<String> kept = send("GET", "/devemu/campaigns/http-c", null);
    assertTrue(new ObjectMapper().readTree(kept.body()).path("cancelled").asBoolean(), kept.body());
    HttpResponse<String> again = send("POST", "/devemu/campaigns", plan("http-c", 3));
    assertEquals(400, again.statusCode());
    assertTrue(again.body().contains("was cancelled; delete it"), again.body());

    assertEquals(200, send("DELETE", "/devemu/campaigns/http-c", null).statusCode());
    assertEquals(404, send("GET", "/devemu/campaigns/http-c", null).statusCode());
    assertEquals(404, send("DELETE", "/devemu/campaigns/http-c", null).statusCode());
    assertEquals(404, send("POST", "/devemu/campaigns/no-such/cancel", null).statusCode());
    // Deleted, the same id may be planned afresh.
    assertEquals(200, send("POST", "/devemu/campaigns", plan("http-c", 2)).statusCode());
    assertEquals(2, progress("http-c").planned());
    send("DELETE", "/devemu/campaigns/http-c", null);
    // Both need the token.
    HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + node.httpAddress()
        + "/devemu/campaigns/x")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, anonymous.statusCode());
  }

  @Test
  void cancelAndDeleteThroughTheCli() throws Exception {
    assertEquals(200, send("POST", "/devemu/campaigns", plan("cli-c", 4)).statusCode());
    String[] door = {"--cluster", node.httpAddress(), "--token-file", tokenFile.toString()};
    SingleNodeCampaign.Cli cancel = SingleNodeCampaign.devemu(concat(new String[] {"campaign", "--cancel", "cli-c"}, door));
    assertEquals(0, cancel.code(), cancel.err());
    assertTrue(cancel.out().contains("campaign cli-c cancelled: 0 of 4 runs recorded"), cancel.out());
    assertTrue(progress("cli-c").cancelled());
    SingleNodeCampaign.Cli status = SingleNodeCampaign.devemu(concat(new String[] {"status"}, door));
    assertTrue(status.out().contains("cli-c bounded.conf: 0/4 runs cancelled"), status.out());

    SingleNodeCampaign.Cli delete = SingleNodeCampaign.devemu(concat(new String[] {"campaign", "--delete", "cli-c"}, door));
    assertEquals(0, delete.code(), delete.err());
    assertTrue(delete.out().contains("campaign cli-c deleted"), delete.out());
    assertFalse(progress("cli-c").known());

    SingleNodeCampaign.Cli unknown = SingleNodeCampaign.devemu(concat(new String[] {"campaign", "--delete", "cli-c"}, door));
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("has no campaign cli-c"), unknown.err());
    SingleNodeCampaign.Cli noCluster = SingleNodeCampaign.devemu("campaign", "--cancel", "x");
    assertEquals(2, noCluster.code());
    assertTrue(noCluster.err().contains("--cancel needs --cluster HOST:PORT"), noCluster.err());
    SingleNodeCampaign.Cli noToken = SingleNodeCampaign.devemu("campaign", "--cancel", "x", "--cluster",
        node.httpAddress());
    assertEquals(2, noToken.code());
    assertTrue(noToken.err().contains("401"), noToken.err());
  }

  static String[] concat(String[] a, String[] b) {
    List<String> out = new ArrayList<>(List.of(a));
    out.addAll(List.of(b));
    return out.toArray(String[]::new);
  }

  @Test
  void aResultCountsOnlyFromTheWorkerTheRunWasHandedTo() throws Exception {
    CampaignPlan plan = new CampaignPlan("forged", "bounded.conf", SingleNodeCampaign.SCENARIO,
        List.of(new RunKey(1, Variant.RAW), new RunKey(2, Variant.RAW)), 0);
    assertEquals("", this.<CampaignCoordinator.CampaignProgress>ask(r -> new CampaignCoordinator.SubmitCampaign(plan, r))
        .error());
    ActorRef<CampaignCoordinator.Command> coordinator = NodeServices.get(node.system()).coordinator();
    RunKey one = new RunKey(1, Variant.RAW);
    RunKey two = new RunKey(2, Variant.RAW);
    String self = node.system().address().toString();

    // A sender the coordinator never handed anything: dropped.
    TestProbe<RunWorker.Command> stranger = TestProbe.create(node.system());
    coordinator.tell(new CampaignCoordinator.RunCompleted(stranger.ref(), self, "forged", one, record(one)));

    // A process that is not a member (a remote address outside the cluster) asks for work and reports a run: it gets
    // nothing, and its result is dropped.
    ActorRef<RunWorker.Command> outsider = org.apache.pekko.actor.typed.ActorRefResolver.get(node.system())
        .resolveActorRef("pekko://devemu@127.0.0.1:" + LocalCluster.freePort() + "/system/worker");
    coordinator.tell(new CampaignCoordinator.WorkRequested(outsider, outsider.path().address().toString(), 2,
        List.of(), "", 0, 1));
    coordinator.tell(new CampaignCoordinator.RunCompleted(outsider, outsider.path().address().toString(), "forged", one,
        record(one)));
    assertEquals(java.util.Map.of(), progress("forged").runningByNode(), "a non-member was handed a run");

    // A worker that was handed run 1 reports run 2: dropped; then run 1: recorded.
    TestProbe<RunWorker.Command> worker = TestProbe.create(node.system());
    coordinator.tell(new CampaignCoordinator.WorkRequested(worker.ref(), self, 1, List.of(), "", 0, 1));
    RunWorker.WorkAssigned work = worker.expectMessageClass(RunWorker.WorkAssigned.class, Duration.ofSeconds(10));
    assertEquals(List.of(one), work.runs().stream().map(r -> r.key()).toList());
    coordinator.tell(new CampaignCoordinator.RunCompleted(worker.ref(), self, "forged", two, record(two)));
    coordinator.tell(new CampaignCoordinator.RunCompleted(stranger.ref(), self, "forged", one, record(one)));
    coordinator.tell(new CampaignCoordinator.RunCompleted(worker.ref(), self, "forged", one, record(one)));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (progress("forged").done() < 1) {
      assertTrue(System.nanoTime() < deadline, "the handed-out run's result was not recorded");
      Thread.sleep(50);
    }
    CampaignCoordinator.ResultPage page = ask(r -> new CampaignCoordinator.GetResults("forged", 0, 10, r));
    assertEquals(List.of(one), page.results().stream().map(RecordedRun::key).toList(), "only run 1 is recorded");
    assertEquals(1, progress("forged").done(), "a result from a stranger or for a run not handed out counted");
    BoundedWorkTest.<CampaignCoordinator.CampaignProgress>ask(r -> new CampaignCoordinator.CancelCampaign("forged", true, r));
  }

  @Test
  void aResultReadAndForgottenRunsAgainForAClientThatAsksForIt() throws Exception {
    RunKey one = new RunKey(1, Variant.RAW);
    RunKey two = new RunKey(2, Variant.RAW);
    CampaignPlan plan = new CampaignPlan("reopen", "bounded.conf", SingleNodeCampaign.SCENARIO, List.of(one, two), 0);
    assertEquals("", BoundedWorkTest.<CampaignCoordinator.CampaignProgress>ask(
        r -> new CampaignCoordinator.SubmitCampaign(plan, r)).error());
    ActorRef<CampaignCoordinator.Command> coordinator = NodeServices.get(node.system()).coordinator();
    String self = node.system().address().toString();
    TestProbe<RunWorker.Command> worker = TestProbe.create(node.system());
    coordinator.tell(new CampaignCoordinator.WorkRequested(worker.ref(), self, 2, List.of(), "", 0, 1));
    RunWorker.WorkAssigned work = worker.expectMessageClass(RunWorker.WorkAssigned.class, Duration.ofSeconds(10));
    assertEquals(List.of(one, two), work.runs().stream().map(r -> r.key()).toList());
    for (RunKey k : List.of(one, two)) {
      coordinator.tell(new CampaignCoordinator.RunCompleted(worker.ref(), self, "reopen", k, record(k)));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (progress("reopen").done() < 2) {
      assertTrue(System.nanoTime() < deadline, "the results were not recorded");
      Thread.sleep(50);
    }
    // A client reads both, then asks from index 2: it has written them, they leave memory.
    assertEquals(2, this.<CampaignCoordinator.ResultPage>ask(r -> new CampaignCoordinator.GetResults("reopen", 0, 10,
        r)).results().size());
    CampaignCoordinator.ResultPage after = ask(r -> new CampaignCoordinator.GetResults("reopen", 2, 10, r));
    assertEquals(List.of(), after.results());
    CampaignCoordinator.ResultPage fromStart = ask(r -> new CampaignCoordinator.GetResults("reopen", 0, 10, r));
    assertEquals(2, fromStart.from(), "forgotten results are not served again");
    assertEquals(List.of(), fromStart.results());

    // Another client of the same campaign lacks run 1: submitting it runs it again, and its result comes after.
    assertEquals("", BoundedWorkTest.<CampaignCoordinator.CampaignProgress>ask(r -> new CampaignCoordinator
        .SubmitCampaign(new CampaignPlan("reopen", "bounded.conf", SingleNodeCampaign.SCENARIO, List.of(one), 0), r))
        .error());
    coordinator.tell(new CampaignCoordinator.WorkRequested(worker.ref(), self, 2, List.of(), work.epoch(), work.seq(),
        1));
    RunWorker.WorkAssigned again = worker.expectMessageClass(RunWorker.WorkAssigned.class, Duration.ofSeconds(10));
    assertEquals(List.of(one), again.runs().stream().map(r -> r.key()).toList(), "only the forgotten key runs again");
    coordinator.tell(new CampaignCoordinator.RunCompleted(worker.ref(), self, "reopen", one, record(one)));
    CampaignCoordinator.ResultPage page;
    do {
      assertTrue(System.nanoTime() < deadline + Duration.ofSeconds(10).toNanos(), "run 1 was not recorded again");
      Thread.sleep(50);
      page = ask(r -> new CampaignCoordinator.GetResults("reopen", 2, 10, r));
    } while (page.results().isEmpty());
    assertEquals(List.of(one), page.results().stream().map(RecordedRun::key).toList());
    assertEquals(2, page.done(), "run 1 counts once");
    assertTrue(page.finished());
    BoundedWorkTest.<CampaignCoordinator.CampaignProgress>ask(r -> new CampaignCoordinator.CancelCampaign("reopen", true, r));
  }

  @Test
  void aLargePlanIsSubmittedInPartsAndTheLimitsCountThemTogether() throws Exception {
    int before = ClusterCampaigns.submitKeys;
    ClusterCampaigns.submitKeys = 4;
    try {
      ClusterCampaigns.Doors doors = ClusterCampaigns.Doors.parse(node.httpAddress(), TOKEN);
      List<RunKey> eight = new ArrayList<>();
      for (int s = 1; s <= 8; s++) eight.add(new RunKey(s, Variant.RAW));
      doors.submit(new CampaignPlan("parts", "bounded.conf", SingleNodeCampaign.SCENARIO, eight, 0));
      assertEquals(8, progress("parts").planned(), "two parts of four make one campaign");
      List<RunKey> twelve = new ArrayList<>(eight);
      for (int s = 9; s <= 12; s++) twelve.add(new RunKey(s, Variant.RAW));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> doors.submit(
          new CampaignPlan("parts", "bounded.conf", SingleNodeCampaign.SCENARIO, twelve, 0)));
      assertTrue(e.getMessage().contains("would plan 12 runs, over devemu.limits.max-runs-per-campaign = " + MAX_RUNS),
          e.getMessage());
      assertEquals(8, progress("parts").planned(), "the refused part added nothing");
      // A new campaign refused part-way is not left half planned.
      IllegalArgumentException fresh = assertThrows(IllegalArgumentException.class, () -> doors.submit(
          new CampaignPlan("parts-new", "bounded.conf", SingleNodeCampaign.SCENARIO, twelve, 0)));
      assertTrue(fresh.getMessage().contains("the part already sent was deleted again"), fresh.getMessage());
      assertFalse(progress("parts-new").known());
    } finally {
      ClusterCampaigns.submitKeys = before;
      send("DELETE", "/devemu/campaigns/parts", null);
    }
  }

  static RunRecord record(RunKey k) {
    return RunRecord.internalError(k, "forged " + k);
  }
}
