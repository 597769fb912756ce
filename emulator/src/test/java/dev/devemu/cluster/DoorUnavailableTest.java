package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 503 tells the client what it can act on and nothing of the node's insides: a node without the coordinator role
 * alone in its cluster never gets an answer from the coordinator singleton, so the door's ask times out.
 */
class DoorUnavailableTest {
  static final String TOKEN = "unavailable-test-token-0123456789";

  @Test
  void aCoordinatorThatDoesNotAnswerIsA503WithoutActorPaths(@TempDir Path dir) throws Exception {
    int port = LocalCluster.freePort();
    int http = LocalCluster.freePort();
    var extra = ConfigFactory.parseString("devemu.http.token = \"" + TOKEN + "\"\n"
        + "devemu.deployment.nodes = [ { host = \"127.0.0.1\", port = " + port + ", http-port = " + http
        + ", roles = [worker] } ]\n").withFallback(EmbeddedCluster.EMBEDDED);
    try (ClusterNode node = ClusterNode.start(NodeConfig.load(null, 1, new NodeConfig.Overrides("127.0.0.1", port,
        http, dir.resolve("data"), 1), extra))) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://" + node.httpAddress()
          + "/devemu/campaigns")).header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(60)).GET()
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, r.statusCode(), r.body());
      assertEquals("the campaign coordinator is not available; try again (the node's log says why)", r.body());
      assertFalse(r.body().contains("pekko://") || r.body().contains("/system/") || r.body().contains("Exception"),
          r.body());
    }
  }
}
