package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's node paused: every multi-node deployment journals to PostgreSQL, a server no devemu node hosts, so
 * the journal's node is the database server itself. Mid-campaign the test SIGSTOPs the postmaster and all its
 * backends ({@link PostgresServer#pause}) for {@value #PAUSE_SECONDS} s — the port still accepts connections, nothing
 * answers — and then resumes it. Meanwhile no result may be counted (a result counts only once journaled), every
 * node's {@code /ready} must turn 503 naming the journal ("503 until the journal is writable"), and after the resume
 * progress and readiness come back and the campaign's {@code summary.json} equals the single-node one: nothing lost,
 * nothing counted twice.
 */
class JournalPauseTest {
  static final int SEEDS = 60;
  static final int PAUSE_SECONDS = 20;

  @Test
  void pausingThePostgresJournalStopsProgressAndReadinessUntilItIsBack(@TempDir Path tmp) throws Exception {
    PostgresServer pg = PostgresServer.shared();
    try (LocalCluster cluster = new LocalCluster("journal-pause", tmp, 3, "")) {
      cluster.startAll(1, 2, 3);
      cluster.awaitStatus(2, s -> LocalCluster.upMembers(s) == 3 && s.path("workers").size() == 3, 90,
          "three members up with their workers");
      cluster.awaitStatus(2, s -> !s.path("coordinator").isNull(), 30, "a coordinator");
      int observer = 2;

      Path scenario = SingleNodeCampaign.scenario(tmp, "journal-pause");
      Path single = SingleNodeCampaign.run(scenario, SEEDS, tmp.resolve("journal-pause-single"));
      String id = SingleNodeCampaign.campaignId(single);
      Path folder = tmp.resolve("journal-pause");
      CompletableFuture<SingleNodeCampaign.Cli> campaign = SingleNodeCampaign.devemuInBackground("campaign",
          scenario.toString(), "--runs", String.valueOf(SEEDS), "--out", folder.toString(),
          "--cluster", cluster.doors(observer), "--token-file", cluster.tokenFile().toString());
      long atPause = done(cluster.awaitStatus(observer, s -> done(s, id) >= 8, 90, "the campaign under way"), id);
      assertTrue(atPause < 2 * SEEDS - 20, "too little left to watch: " + atPause);

      // /ready of every node, watched on a thread of its own: the status requests below wait for a coordinator
      // that cannot journal (10 s each), /ready must not.
      ReadyWatch watch = new ReadyWatch(cluster);
      long doneAtPause = atPause;
      long lastDone = atPause;
      double lastProgress = 0;
      int unanswered = 0;
      pg.pause();
      long pausedAt = System.nanoTime();
      watch.from(pausedAt);
      try {
        while (seconds(pausedAt) < PAUSE_SECONDS) {
          Long now = doneOrNull(cluster, observer, id);
          if (now == null) unanswered++;
          if (now != null) {
            assertTrue(now >= lastDone, "the count of results went back: " + lastDone + " -> " + now);
            if (now > lastDone) {
              lastDone = now;
              lastProgress = seconds(pausedAt);
            }
          }
          Thread.sleep(250);
        }
      } finally {
        pg.resume();
      }
      long resumedAt = System.nanoTime();
      watch.from(resumedAt);
      long doneAtResume = lastDone;
      double[] first503 = watch.first503.clone();
      String[] reason = watch.reason.clone();

      // Back: progress, and every node ready again.
      double progressBack = -1;
      double readyBack = -1;
      while (seconds(resumedAt) < 60 && (progressBack < 0 || readyBack < 0)) {
        Long now = doneOrNull(cluster, observer, id);
        if (progressBack < 0 && now != null && (now > doneAtResume || now == 2L * SEEDS)) progressBack = seconds(resumedAt);
        if (readyBack < 0) readyBack = watch.allReadyAt;
        Thread.sleep(250);
      }
      watch.stop();
      System.err.printf("journal-pause: PostgreSQL paused %d s at %d of %d results; results counted during the pause: "
          + "%d (last %.1f s into it), status without the campaign %d times; /ready 503 after %.1f / %.1f / %.1f s; after the resume progress in %.1f s, "
          + "all ready in %.1f s%n", PAUSE_SECONDS, doneAtPause, 2 * SEEDS, doneAtResume - doneAtPause, lastProgress, unanswered,
          first503[0], first503[1], first503[2], progressBack, readyBack);

      for (int k = 1; k <= 3; k++) {
        assertTrue(first503[k - 1] >= 0, "node " + k + " stayed ready for the whole " + PAUSE_SECONDS
            + " s pause of its journal");
        assertTrue(reason[k - 1].contains("journal"), "node " + k + ": " + reason[k - 1]);
      }
      // A result counts only once journaled: with the journal frozen the count stops (what was in flight may land
      // in the first seconds).
      assertTrue(lastProgress < PAUSE_SECONDS - 8, "results still counted " + lastProgress + " s into the pause");
      assertTrue(progressBack >= 0, "no progress within 60 s of the journal's resume");
      assertTrue(readyBack >= 0, "not every node ready within 60 s of the journal's resume");

      SingleNodeCampaign.Cli r = campaign.get(180, TimeUnit.SECONDS);
      assertEquals(0, r.code(), r.out() + r.err());
      SingleNodeCampaign.assertSameAs(single, folder, SEEDS);
    } finally {
      ReadyWatch.stopAll();
      pg.resume(); // never leave the JVM's shared server frozen for the next test
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /** Asks every node's /ready every 200 ms; times are seconds since {@link #from}. */
  private static final class ReadyWatch {
    private static final java.util.List<ReadyWatch> RUNNING = new java.util.concurrent.CopyOnWriteArrayList<>();
    final double[] first503 = {-1, -1, -1};
    final String[] reason = new String[3];
    volatile double allReadyAt = -1;
    private volatile long since;
    private volatile boolean stopped;
    private final Thread thread;

    ReadyWatch(LocalCluster cluster) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      thread = new Thread(() -> {
        while (!stopped) {
          boolean all = true;
          for (int k = 1; k <= 3; k++) {
            HttpResponse<String> r = ready(http, cluster, k);
            all &= r != null && r.statusCode() == 200;
            synchronized (this) {
              if (since != 0 && r != null && r.statusCode() == 503 && first503[k - 1] < 0) {
                first503[k - 1] = seconds(since);
                reason[k - 1] = r.body();
              }
            }
          }
          if (all && since != 0 && allReadyAt < 0) allReadyAt = seconds(since);
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "ready-watch");
      thread.setDaemon(true);
      thread.start();
      RUNNING.add(this);
    }

    /** Measures from {@code nanoTime} on (the pause, then the resume). */
    synchronized void from(long nanoTime) {
      since = nanoTime;
      allReadyAt = -1;
    }

    void stop() throws InterruptedException {
      stopped = true;
      thread.join(10_000);
      RUNNING.remove(this);
    }

    static void stopAll() throws InterruptedException {
      for (ReadyWatch w : RUNNING) w.stop();
    }
  }

  private static HttpResponse<String> ready(HttpClient http, LocalCluster cluster, int node) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://" + cluster.door(node) + "/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      return null; // no answer within 2 s counts as not ready
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Long doneOrNull(LocalCluster cluster, int node, String id) {
    try {
      JsonNode c = LocalCluster.campaign(ClusterCampaigns.status(cluster.door(node), cluster.token()), id);
      return c == null ? null : c.path("done").asLong(); // no campaigns while the coordinator does not answer
    } catch (Exception e) {
      return null;
    }
  }

  private static long done(JsonNode status, String id) {
    JsonNode c = LocalCluster.campaign(status, id);
    return c == null ? 0 : c.path("done").asLong();
  }
}
