package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose PostgreSQL role may not create the journal's tables (PostgreSQL 15 and later give no one CREATE on
 * schema public by default) does not hang silently and does not pretend: within seconds its log names the
 * database's refusal, {@code /ready} is 503 with the reason, {@code status} says the journal is not writable, it
 * never prints "up" and no coordinator starts on it.
 */
class JournalUnwritableTest {
  @Test
  void aJournalTheNodeCannotCreateTablesInIsAClearErrorNotAHang(@TempDir Path tmp) throws Exception {
    PostgresServer pg = PostgresServer.shared();
    String url = pg.newDatabase();
    String database = url.substring(url.lastIndexOf('/') + 1);
    pg.sql(database, "CREATE ROLE devemu_no_create LOGIN");
    pg.sql(database, "REVOKE CREATE ON SCHEMA public FROM PUBLIC"); // as PostgreSQL 15 does; explicit for older ones
    try (LocalCluster cluster = new LocalCluster("journal-unwritable", tmp, 1, url,
        "pekko-persistence-jdbc.shared-databases.default.db.user = \"devemu_no_create\"")) {
      cluster.launchOnly(1);
      long started = System.nanoTime();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> ready = null;
      long deadline = started + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        try {
          ready = http.send(HttpRequest.newBuilder(URI.create("http://" + cluster.door(1) + "/ready"))
              .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
          if (ready.body().contains("permission denied")) break;
        } catch (java.io.IOException notYet) {
          // the door is not listening yet
        }
        assertTrue(cluster.alive(1), () -> "the node exited: " + read(cluster.log(1)));
        Thread.sleep(200);
      }
      assertNotNull(ready, "the door never answered");
      assertEquals(503, ready.statusCode(), ready.body());
      assertTrue(ready.body().contains("permission denied for schema public"), ready.body());
      System.err.printf("journal-unwritable: /ready named the cause %.1f s after the node's start%n",
          (System.nanoTime() - started) / 1e9);

      JsonNode status = ClusterCampaigns.status(cluster.door(1), cluster.token());
      assertFalse(status.path("journal").path("writable").asBoolean(), status.toString());
      assertTrue(status.path("journal").path("problem").asText().contains("permission denied for schema public"),
          status.toString());
      assertTrue(status.path("coordinator").isNull(), "a coordinator started over a journal it cannot write: "
          + status);
      SingleNodeCampaign.Cli cli = SingleNodeCampaign.devemu("status", "--cluster", cluster.door(1), "--token-file",
          cluster.tokenFile().toString());
      assertEquals(0, cli.code(), cli.err());
      assertTrue(cli.out().contains("journal: NOT WRITABLE: the journal (" + url + ") could not be prepared: "
          + "ERROR: permission denied for schema public"), cli.out());

      String log = read(cluster.log(1));
      assertTrue(log.contains("node 1 is not ready: the journal (" + url + ") could not be prepared: ERROR: "
          + "permission denied for schema public"), log);
      assertFalse(log.contains("node 1 up:"), log);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
