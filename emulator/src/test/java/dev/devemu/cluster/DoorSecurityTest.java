package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import dev.devemu.protocol.v1.CampaignPlanProto;
import dev.devemu.protocol.v1.RunKeyProto;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP door as an attacker meets it: one node in this JVM (loopback, free ports) with a configured token.
 * Without the token or with a wrong one every devemu and cluster path is 401, the health checks stay open; with it,
 * a POSTed scenario is still data (no environment, no include of files, resources or URLs) and bodies are bounded.
 */
class DoorSecurityTest {
  static final String TOKEN = "door-test-token-0123456789abcdef";
  static final long MAX_BODY = 64 * 1024;
  static final long MAX_SCENARIO = 8 * 1024;

  @TempDir static Path dir;
  static ClusterNode node;
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startNode() throws Exception {
    var extra = ConfigFactory.parseString("devemu.http.token = \"" + TOKEN + "\"\n"
        + "devemu.http.max-body-bytes = " + MAX_BODY + "\n"
        + "devemu.http.max-scenario-bytes = " + MAX_SCENARIO + "\n").withFallback(EmbeddedCluster.EMBEDDED);
    node = ClusterNode.start(NodeConfig.load(null, 1, new NodeConfig.Overrides("127.0.0.1", LocalCluster.freePort(),
        LocalCluster.freePort(), dir.resolve("data"), 1), extra));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) { // until the coordinator answers: a POST then gets the coordinator's verdict, not a 503
      HttpResponse<String> r = get("/devemu/status", TOKEN);
      if (r.statusCode() == 200 && !new ObjectMapper().readTree(r.body()).path("coordinator").isNull()) break;
      if (System.nanoTime() > deadline) fail("the node's coordinator did not come up: " + r.body());
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  static HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + node.httpAddress() + path))
        .timeout(Duration.ofSeconds(30));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  static HttpResponse<String> get(String path, String token) throws Exception {
    return HTTP.send(request(path, token).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(byte[] body, String token) throws Exception {
    return HTTP.send(request("/devemu/campaigns", token).header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static byte[] plan(String id, String scenario) {
    return CampaignPlanProto.newBuilder().setCampaignId(id).setScenarioFile("net.conf").setScenarioSource(scenario)
        .addRuns(RunKeyProto.newBuilder().setSeed(1).setVariant("raw")).build().toByteArray();
  }

  @Test
  void everyDevemuAndClusterPathNeedsTheToken() throws Exception {
    for (String path : new String[] {"/devemu/status", "/devemu/campaigns", "/devemu/campaigns/x",
        "/devemu/campaigns/x/results", "/cluster/members"}) {
      HttpResponse<String> none = get(path, null);
      assertEquals(401, none.statusCode(), path + ": " + none.body());
      assertEquals("Bearer realm=\"devemu\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
      assertEquals(401, get(path, "wrong-token-0123456789abcdef").statusCode(), path);
      assertEquals(401, get(path, TOKEN.substring(0, TOKEN.length() - 1)).statusCode(), path + " (a prefix)");
      assertEquals(401, get(path, TOKEN + "x").statusCode(), path + " (longer)");
      HttpResponse<String> basic = HTTP.send(request(path, null).header("Authorization", "Basic " + TOKEN).GET()
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, basic.statusCode(), path + " (not a bearer token)");
    }
    assertEquals(200, get("/devemu/status", TOKEN).statusCode());
    assertEquals(200, get("/devemu/campaigns", TOKEN).statusCode());
    HttpResponse<String> members = get("/cluster/members", TOKEN);
    assertEquals(200, members.statusCode(), members.body());
    assertTrue(members.body().contains("127.0.0.1"), members.body());
    // A POST without the token is refused before its body is even looked at.
    assertEquals(401, post(plan("no-token", "not even HOCON {"), null).statusCode());
  }

  @Test
  void healthChecksStayOpen() throws Exception {
    assertEquals(200, get("/alive", null).statusCode());
    assertEquals(200, get("/ready", null).statusCode());
  }

  static String someEnvValue(String[] name) {
    for (String n : new String[] {"PATH", "HOME", "USER"}) {
      String v = System.getenv(n);
      if (v != null && v.length() >= 4) {
        name[0] = n;
        return v;
      }
    }
    throw new IllegalStateException("no environment variable to try");
  }

  static final String SCENARIO = SingleNodeCampaign.SCENARIO;

  @Test
  void aPostedScenarioNeverReadsTheEnvironment() throws Exception {
    String[] name = new String[1];
    String value = someEnvValue(name);
    HttpResponse<String> r = post(plan("env", SCENARIO.replace("cpus = 2", "cpus = ${" + name[0] + "}")), TOKEN);
    assertEquals(400, r.statusCode(), r.body());
    assertFalse(r.body().contains(value), r.body());
    assertTrue(r.body().contains("${" + name[0] + "}") && r.body().contains("net.conf:2"), r.body());
    HttpResponse<String> inName = post(plan("env-name", SCENARIO.replace("name = \"cluster-race\"",
        "name = ${" + name[0] + "}")), TOKEN);
    assertEquals(400, inName.statusCode());
    assertFalse(inName.body().contains(value), inName.body());
  }

  @Test
  void aPostedScenarioIncludesNothing() throws Exception {
    Path secret = dir.resolve("secret.conf");
    Files.writeString(secret, "stolen = \"door-s3cr3t\"\n");
    AtomicInteger contacts = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", x -> {
      contacts.incrementAndGet();
      x.sendResponseHeaders(200, 0);
      x.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/x.conf";
      for (String include : new String[] {"include file(\"" + secret + "\")", "include \"" + secret + "\"",
          "include classpath(\"reference.conf\")", "include url(\"" + url + "\")",
          "include required(url(\"" + url + "\"))"}) {
        HttpResponse<String> r = post(plan("inc", SCENARIO + include + "\n"), TOKEN);
        assertEquals(400, r.statusCode(), include + ": " + r.body());
        assertTrue(r.body().startsWith("net.conf:" + (SCENARIO.split("\n").length + 1) + ": include: include is "
            + "not allowed"), include + ": " + r.body());
        assertFalse(r.body().contains("door-s3cr3t"), r.body());
      }
    } finally {
      server.stop(0);
    }
    assertEquals(0, contacts.get(), "the node fetched a URL");
  }

  @Test
  void bodiesAndScenariosAreBounded() throws Exception {
    byte[] huge = plan("huge", SCENARIO + "# " + "x".repeat((int) MAX_BODY) + "\n");
    assertEquals(413, post(huge, TOKEN).statusCode());
    HttpResponse<String> big = post(plan("big", SCENARIO + "# " + "x".repeat((int) MAX_SCENARIO) + "\n"), TOKEN);
    assertEquals(400, big.statusCode(), big.body());
    assertTrue(big.body().contains("at most " + MAX_SCENARIO + " bytes"), big.body());
    // Within the limits the same door accepts a good plan.
    HttpResponse<String> ok = post(plan("ok", SCENARIO), TOKEN);
    assertEquals(200, ok.statusCode(), ok.body());
  }

  @Test
  void theCliSendsTheTokenFromAFileAndSaysWhatIsMissing() throws Exception {
    SingleNodeCampaign.Cli without = SingleNodeCampaign.devemu("status", "--cluster", node.httpAddress());
    assertEquals(2, without.code(), without.out() + without.err());
    assertTrue(without.err().contains("401") && without.err().contains("DEVEMU_TOKEN"), without.err());

    Path file = dir.resolve("token");
    Files.writeString(file, TOKEN + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    SingleNodeCampaign.Cli open = SingleNodeCampaign.devemu("status", "--cluster", node.httpAddress(),
        "--token-file", file.toString());
    assertEquals(2, open.code(), open.err());
    assertTrue(open.err().contains("chmod 600"), open.err());

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    SingleNodeCampaign.Cli with = SingleNodeCampaign.devemu("status", "--cluster", node.httpAddress(),
        "--token-file", file.toString());
    assertEquals(0, with.code(), with.err());
    assertTrue(with.out().contains("coordinator:"), with.out());
  }

  @Test
  void tokensAreComparedWhole() {
    assertTrue(DoorToken.matches(TOKEN, TOKEN));
    assertFalse(DoorToken.matches(TOKEN, TOKEN.toUpperCase()));
    assertFalse(DoorToken.matches(TOKEN, ""));
    assertFalse(DoorToken.matches(null, TOKEN));
    assertFalse(DoorToken.matches(TOKEN, null));
  }

  @Test
  void aNodeWithoutATokenMakesAnOwnerOnlyOneAndSharesIt(@TempDir Path data) throws Exception {
    var config = ConfigFactory.parseString("devemu.http.token = \"\", devemu.http.token-file = \"\"");
    DoorToken.Token first = DoorToken.forNode(config, data);
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(data.resolve(DoorToken.GENERATED_FILE))));
    assertTrue(first.value().length() >= 32);
    assertEquals(first.value(), DoorToken.forNode(config, data).value(), "a second node of the data dir");
    assertFalse(first.toString().contains(first.value()));
    var shortToken = ConfigFactory.parseString("devemu.http.token = \"abc\"");
    assertThrows(IllegalArgumentException.class, () -> DoorToken.forNode(shortToken, data));
  }
}
