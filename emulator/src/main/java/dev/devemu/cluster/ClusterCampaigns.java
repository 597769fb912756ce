package dev.devemu.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.devemu.campaign.CampaignBackend;
import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import dev.devemu.protocol.v1.ResultPage;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The client side of the cluster's HTTP door: submits a campaign to a running cluster and follows it until every
 * run has a result. {@code ./devemu campaign … --cluster HOST:PORT} is a {@code CampaignRunner} over
 * {@code connect(hostPort, …)}; the embedded default ({@link EmbeddedCluster}) is the same client over a node in
 * this JVM.
 *
 * <p>A campaign asks for runs in waves; each wave is one {@code execute}. The client remembers per campaign how far
 * it has read the recording order, so a wave goes on from there instead of reading every earlier result again.
 * Every result it reads goes to the sink as the worker's lane made it (a {@code RunRecord}), wanted by this wave or
 * not: the campaign folder keeps each key once, so nothing read needs reading again. It stops following as soon as
 * the campaign has what it needs from the wave ({@code ResultSink.wantsMore()} false, or
 * {@code ResultSink.wants(key)} false for every run still missing: the device-hours target of their variants
 * reached); what the cluster still runs of that wave is recorded by its coordinator and read if a later session
 * needs it.
 *
 * <p>Reconnecting is part of the protocol: results are read by index in the coordinator's recording order, so a
 * client that lost its connection (or a node that went away) asks again from what it has; a campaign the cluster
 * does not know (its journal is gone) is submitted again. Several doors may be given ({@code h1:p1,h2:p2}); the
 * client moves to the next one when one does not answer.
 */
public final class ClusterCampaigns {
  /** Results per page asked for (the coordinator also cuts pages at 512 KiB). */
  private static final int PAGE = 200;
  /** Run keys per POST of a plan (tests lower it). */
  static int submitKeys = 20_000;

  private ClusterCampaigns() {}

  /**
   * How the client behaves.
   *
   * @param pollInterval pause between two reads when no new result came
   * @param giveUpAfter how long the doors may stay unreachable before {@code execute} fails
   * @param progress receives one line per change of progress and every notice (null: quiet)
   * @param notices receives only the lines that tell of trouble: a door that does not answer, a campaign submitted
   *     again, results read again (null: quiet)
   */
  public record Options(Duration pollInterval, Duration giveUpAfter, Consumer<String> progress,
      Consumer<String> notices) {
    public static Options defaults() {
      return new Options(Duration.ofMillis(250), Duration.ofMinutes(2), null, null);
    }

    public Options withProgress(Consumer<String> p) {
      return new Options(pollInterval, giveUpAfter, p, notices);
    }

    public Options withNotices(Consumer<String> n) {
      return new Options(pollInterval, giveUpAfter, progress, n);
    }

    public Options withGiveUpAfter(Duration d) {
      return new Options(pollInterval, d, progress, notices);
    }

    public Options withPollInterval(Duration d) {
      return new Options(d, giveUpAfter, progress, notices);
    }
  }

  /**
   * A backend that runs plans on the cluster whose HTTP door is at {@code hostPorts} ({@code host:port[,…]}),
   * sending {@code token} (the door's bearer token; null sends none and the door answers 401).
   */
  public static CampaignBackend connect(String hostPorts, String token, Options options) {
    return new Backend(Doors.parse(hostPorts, token), options);
  }

  /** {@link #connect(String, String, Options)} with the token of {@code DEVEMU_TOKEN}. */
  public static CampaignBackend connect(String hostPorts, Options options) {
    return connect(hostPorts, DoorToken.forClient(null), options);
  }

  /** The same backend over the cluster node running in this JVM ({@code system} is its actor system). */
  static CampaignBackend inJvm(ActorSystem<?> system, Options options) {
    return new Backend(new InJvmDoor(system), options);
  }

  public static CampaignBackend connect(String hostPorts, String token) {
    return connect(hostPorts, token, Options.defaults());
  }

  /**
   * The {@code /devemu/status} document of a node (JSON), or an IOException if it does not answer.
   *
   * @throws IllegalArgumentException if the door refuses the token (401)
   */
  public static JsonNode status(String hostPort, String token) throws IOException, InterruptedException {
    return status(Doors.parse(hostPort, token));
  }

  private static JsonNode status(Doors doors) throws IOException, InterruptedException {
    HttpResponse<byte[]> r = doors.get("/devemu/status", Duration.ofSeconds(15));
    doors.refusedToken(r);
    if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode() + ": " + body(r));
    return new ObjectMapper().readTree(r.body());
  }

  /**
   * The status document of the first of {@code hostPorts} that answers, trying them in turn for at most
   * {@code wait}: how a client checks that a cluster is there before it starts a campaign on it.
   *
   * @throws IllegalArgumentException if {@code hostPorts} is not {@code HOST:PORT[,HOST:PORT…]}, or a door
   *     refused the token (401)
   * @throws IOException if no door answered within {@code wait} (the message names the last error)
   */
  public static JsonNode awaitStatus(String hostPorts, String token, Duration wait)
      throws IOException, InterruptedException {
    Doors doors = Doors.parse(hostPorts, token);
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        return status(doors);
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException("no answer from " + hostPorts + " within " + wait.toSeconds() + " s ("
              + doors.current() + ": " + describe(e) + ")", e);
        }
        doors.next();
        Thread.sleep(250);
      }
    }
  }

  /**
   * Cancels ({@code delete} false: no further run starts, results stay) or deletes a campaign on the cluster.
   *
   * @return the coordinator's answer (JSON), or null if the cluster does not know the campaign
   * @throws IOException if no door answered
   */
  public static JsonNode cancel(String hostPorts, String token, String campaignId, boolean delete)
      throws IOException, InterruptedException {
    Doors doors = Doors.parse(hostPorts, token);
    String path = "/devemu/campaigns/" + URLEncoder.encode(campaignId, StandardCharsets.UTF_8);
    IOException last = null;
    for (int i = 0; i < doors.addresses.size(); i++) {
      try {
        HttpResponse<byte[]> r = delete ? doors.send("DELETE", path, Duration.ofSeconds(30))
            : doors.post(path + "/cancel", new byte[0], Duration.ofSeconds(30));
        doors.refusedToken(r);
        if (r.statusCode() == 404) return null;
        if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode() + ": " + body(r));
        return new ObjectMapper().readTree(r.body());
      } catch (IOException e) {
        last = e;
        doors.next();
      }
    }
    throw last;
  }

  /** How many simulation lanes the workers in a status document have, together (0 if it does not say). */
  public static int lanes(JsonNode status) {
    int sum = 0;
    for (JsonNode n : status.path("workers")) sum += n.asInt();
    return sum;
  }

  private static String describe(IOException e) {
    if (e instanceof java.net.ConnectException) return "connection refused";
    if (e instanceof java.net.http.HttpTimeoutException) return "no answer in time";
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  static String body(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  /**
   * How a client reaches the coordinator: the HTTP doors of a cluster's nodes ({@link Doors}), or the node in this
   * JVM ({@link InJvmDoor}). Either way it submits plans and reads pages of results by index.
   */
  interface Door {
    /** Which door is in use (for messages). */
    String current();

    /** Moves to the next door after a failure (the same one if there is only one). */
    void next();

    /**
     * Submits a plan (idempotent: keys the campaign has are not added again).
     *
     * @throws IllegalArgumentException if the coordinator refused the plan
     * @throws IOException if the door did not answer
     */
    void submit(CampaignPlan plan) throws IOException, InterruptedException;

    /** Recorded results of a campaign from index {@code from}, at most {@code max}. */
    CampaignCoordinator.ResultPage results(String campaignId, long from, int max)
        throws IOException, InterruptedException;
  }

  /** The HTTP doors a client may use, and which one it uses now. */
  static final class Doors implements Door {
    private final List<String> addresses;
    private final String token;
    private int current;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1).build();

    private Doors(List<String> addresses, String token) {
      this.addresses = addresses;
      this.token = token;
    }

    /** 401 is not a door that is down: going on or trying the next door would not help. */
    void refusedToken(HttpResponse<byte[]> r) {
      if (r.statusCode() == 401) {
        throw new IllegalArgumentException(current() + " refused " + (token == null ? "a request without a token"
            : "the token") + " (HTTP 401): give the cluster's token with DEVEMU_TOKEN or --token-file FILE (a node "
            + "without a configured token made one in its data directory, file " + DoorToken.GENERATED_FILE + ")");
      }
    }

    static Doors parse(String hostPorts, String token) {
      List<String> out = new ArrayList<>();
      for (String s : hostPorts.split(",")) {
        String a = s.trim();
        if (a.isEmpty()) continue;
        int colon = a.lastIndexOf(':');
        if (colon <= 0 || colon == a.length() - 1) throw new IllegalArgumentException("--cluster wants HOST:PORT, got " + a);
        try {
          int port = Integer.parseInt(a.substring(colon + 1));
          if (port <= 0 || port > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--cluster wants HOST:PORT, got " + a);
        }
        out.add(a);
      }
      if (out.isEmpty()) throw new IllegalArgumentException("--cluster wants HOST:PORT");
      return new Doors(List.copyOf(out), token);
    }

    @Override
    public String current() {
      return addresses.get(current);
    }

    @Override
    public void next() {
      current = (current + 1) % addresses.size();
    }

    @Override
    public void submit(CampaignPlan plan) throws IOException, InterruptedException {
      // In parts of at most submitKeys keys, so that a POST stays far under the door's body limit (1 MiB by default:
      // a key is 5-10 bytes); submitting is additive, so the parts make the same campaign, and the coordinator's
      // limits count the whole plan (what it has plus what comes).
      List<RunKey> runs = plan.runs();
      String path = "/devemu/campaigns/" + URLEncoder.encode(plan.campaignId(), StandardCharsets.UTF_8);
      // A new campaign refused part-way (a limit) is deleted again: no half of a refused plan runs.
      boolean isNew = runs.size() > submitKeys && get(path, Duration.ofSeconds(30)).statusCode() == 404;
      for (int from = 0; from < runs.size(); from += submitKeys) {
        CampaignPlan part = runs.size() <= submitKeys ? plan : new CampaignPlan(plan.campaignId(),
            plan.scenarioFile(), plan.scenarioSource(), runs.subList(from, Math.min(runs.size(), from + submitKeys)),
            plan.durationOverrideNanos(), plan.coverage());
        HttpResponse<byte[]> r =
            post("/devemu/campaigns", ClusterCodecs.plan(part).toByteArray(), Duration.ofSeconds(30));
        refusedToken(r);
        if (r.statusCode() == 400 && isNew && from > 0) {
          HttpResponse<byte[]> undone = send("DELETE", path, Duration.ofSeconds(30));
          throw new IllegalArgumentException("the cluster refused the campaign: " + body(r) + (undone.statusCode()
              == 200 ? " (the part already sent was deleted again)" : " (the part already sent may remain; delete it "
              + "with devemu campaign --delete " + plan.campaignId() + ")"));
        }
        if (r.statusCode() == 400) throw new IllegalArgumentException("the cluster refused the campaign: " + body(r));
        if (r.statusCode() == 413) {
          throw new IllegalArgumentException("the cluster refused the campaign: its door takes smaller requests "
              + "(devemu.http.max-body-bytes; the scenario text and " + part.runs().size() + " run keys were sent)");
        }
        if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode() + ": " + body(r));
      }
    }

    @Override
    public CampaignCoordinator.ResultPage results(String campaignId, long from, int max)
        throws IOException, InterruptedException {
      HttpResponse<byte[]> r = get("/devemu/campaigns/" + URLEncoder.encode(campaignId, StandardCharsets.UTF_8)
          + "/results?max=" + max + "&from=" + from, Duration.ofSeconds(30));
      refusedToken(r);
      if (r.statusCode() != 200) throw new IOException("HTTP " + r.statusCode() + ": " + body(r));
      return ClusterCodecs.page(ResultPage.parseFrom(r.body()));
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + current() + path)).timeout(timeout);
      return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    HttpResponse<byte[]> get(String path, Duration timeout) throws IOException, InterruptedException {
      return http.send(request(path, timeout).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> send(String method, String path, Duration timeout) throws IOException, InterruptedException {
      return http.send(request(path, timeout)
          .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<byte[]> post(String path, byte[] body, Duration timeout) throws IOException, InterruptedException {
      return http.send(request(path, timeout).header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
  }

  /**
   * The door of a node in this JVM: asks its coordinator proxy directly, as {@link ClusterRoutes} does for HTTP
   * clients, without an HTTP server, a socket or Protobuf in between.
   */
  static final class InJvmDoor implements Door {
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    private final ActorSystem<?> system;

    InJvmDoor(ActorSystem<?> system) {
      this.system = system;
    }

    @Override
    public String current() {
      return system.address().toString();
    }

    @Override
    public void next() {}

    @Override
    public void submit(CampaignPlan plan) throws IOException, InterruptedException {
      CampaignCoordinator.CampaignProgress p = ask(r -> new CampaignCoordinator.SubmitCampaign(plan, r));
      if (!p.error().isEmpty()) throw new IllegalArgumentException("the cluster refused the campaign: " + p.error());
    }

    @Override
    public CampaignCoordinator.ResultPage results(String campaignId, long from, int max)
        throws IOException, InterruptedException {
      return ask(r -> new CampaignCoordinator.GetResults(campaignId, from, max, r));
    }

    private <T> T ask(java.util.function.Function<ActorRef<T>, CampaignCoordinator.Command> message)
        throws IOException, InterruptedException {
      try {
        return AskPattern.ask(NodeServices.get(system).coordinator(), message::apply, ASK_TIMEOUT, system.scheduler())
            .toCompletableFuture().get();
      } catch (java.util.concurrent.ExecutionException e) {
        // as the HTTP door's 503: the coordinator is moving or starting
        throw new IOException("the campaign coordinator did not answer: " + e.getCause(), e.getCause());
      }
    }
  }

  private static final class Backend implements CampaignBackend {
    private final Door doors;
    private final Options options;
    /** Per campaign: how far this client has read the recording order, so a later wave goes on from there. */
    private final Map<String, long[]> cursors = new HashMap<>();

    Backend(Door doors, Options options) {
      this.doors = doors;
      this.options = options;
    }

    @Override
    public void execute(CampaignPlan plan, Set<RunKey> alreadyDone, ResultSink sink) throws InterruptedException {
      Set<RunKey> wanted = new LinkedHashSet<>(plan.runs());
      wanted.removeAll(alreadyDone);
      if (wanted.isEmpty()) return;
      // The cluster runs only what the client still needs; a later submission of more keys extends the campaign.
      CampaignPlan toRun = new CampaignPlan(plan.campaignId(), plan.scenarioFile(), plan.scenarioSource(),
          List.copyOf(wanted), plan.durationOverrideNanos(), plan.coverage());
      long[] cursor = cursors.computeIfAbsent(plan.campaignId(), id -> new long[1]); // results before it are read
      Set<RunKey> remaining = new LinkedHashSet<>(wanted); // in plan order: the first ones are the likeliest wanted
      boolean submitted = false;
      long lastDone = -1;
      long failingSince = 0;
      int recoveries = 0;
      while (!remaining.isEmpty()) {
        if (!sink.wantsMore() || remaining.stream().noneMatch(sink::wants)) {
          // The campaign has what it needs from this wave (a device-hours target reached by every variant, or by
          // the variants of the runs still missing): stop following. Runs of this plan that the cluster still
          // executes are recorded in its journal, and a resume that needs them reads them there.
          say("stopped following campaign " + plan.campaignId() + ": the target is reached", false);
          return;
        }
        try {
          if (!submitted) {
            // Again after a recovery: only what is still missing (keys whose results the coordinator forgot after
            // this client read them would otherwise run again).
            doors.submit(remaining.size() == wanted.size() ? toRun : new CampaignPlan(plan.campaignId(),
                plan.scenarioFile(), plan.scenarioSource(), List.copyOf(remaining), plan.durationOverrideNanos(),
                plan.coverage()));
            submitted = true;
            say("submitted campaign " + plan.campaignId() + " (" + wanted.size() + " runs) to " + doors.current(),
                false);
          }
          CampaignCoordinator.ResultPage page = doors.results(plan.campaignId(), cursor[0], PAGE);
          failingSince = 0;
          if (!page.known()) {
            // The cluster lost the campaign (a fresh journal): submit it again and read from the start.
            say("the cluster does not know campaign " + plan.campaignId() + ": submitting it again", true);
            submitted = false;
            cursor[0] = 0;
            continue;
          }
          cursor[0] = Math.max(cursor[0], page.from()); // results before page.from were written and forgotten
          for (RecordedRun run : page.results()) {
            cursor[0]++;
            remaining.remove(run.key());
            sink.accept(run.record()); // wanted now or not, the folder keeps it (once)
          }
          if (page.done() != lastDone) {
            lastDone = page.done();
            say("progress " + page.done() + "/" + page.planned() + (page.finished() ? " finished" : ""), false);
          }
          if (page.results().isEmpty() && page.finished() && !remaining.isEmpty()) {
            // Finished, yet some of our keys came by: either the recording order changed under us (a journal
            // that lost its last writes re-records them in another order) and we read again from the start,
            // or the cluster's plan lacks them and submitting adds them.
            if (++recoveries > 3) {
              throw new IllegalStateException("the cluster finished campaign " + plan.campaignId() + " without "
                  + remaining.size() + " of its results");
            }
            if (cursor[0] > 0) {
              say("finished without " + remaining.size() + " of our results: reading again from "
                  + "the start", true);
              cursor[0] = 0;
            } else {
              submitted = false;
            }
            continue;
          }
          // Caught up with what is recorded: wait a little, so that a page carries several results, not one each.
          if (!remaining.isEmpty() && cursor[0] >= page.done()) {
            Thread.sleep(options.pollInterval().toMillis());
          }
        } catch (IOException e) {
          long now = System.nanoTime();
          if (failingSince == 0) failingSince = now;
          if (now - failingSince > options.giveUpAfter().toNanos()) {
            throw new IllegalStateException("the cluster did not answer for " + options.giveUpAfter().toSeconds()
                + " s (last door " + doors.current() + "): " + describe(e), e);
          }
          say("door " + doors.current() + " does not answer (" + describe(e) + "); retrying", true);
          doors.next();
          Thread.sleep(Math.max(200, options.pollInterval().toMillis()));
        }
      }
    }

    private void say(String line, boolean notice) {
      if (options.progress() != null) options.progress().accept(line);
      if (notice && options.notices() != null) options.notices().accept(line);
    }
  }
}
