package dev.devemu.cluster;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefixTest;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.withSizeLimit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.devemu.campaign.CampaignPlan;
import dev.devemu.protocol.v1.CampaignPlanProto;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.management.cluster.javadsl.ClusterHttpManagementRoutes;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The door of a node for clients outside the cluster, served by Pekko Management's HTTP server (loopback by
 * default) next to its health checks and {@code /cluster/members}:
 * <ul>
 *   <li>{@code POST /devemu/campaigns}: a plan ({@code devemu.v1.CampaignPlanProto}, Protobuf body); submitting the
 *       same campaign again resumes it. Answers the campaign's progress (JSON).</li>
 *   <li>{@code GET /devemu/campaigns[/ID]}: progress (JSON).</li>
 *   <li>{@code GET /devemu/campaigns/ID/results?from=N&max=M}: recorded results from index N in recording order
 *       ({@code devemu.v1.ResultPage}, Protobuf), so a client that reconnects asks from what it already has.</li>
 *   <li>{@code POST /devemu/campaigns/ID/cancel}: no further run of the campaign starts (its results stay);
 *       {@code DELETE /devemu/campaigns/ID}: the coordinator forgets it. Both answer its progress, or 404.</li>
 *   <li>{@code GET /devemu/status}: members, the coordinator, the journal, readiness, campaigns and runs per node
 *       (JSON).</li>
 *   <li>{@code GET /ready}: 200, or 503 with the reason (see {@link #ready()}).</li>
 * </ul>
 * Any node answers; it asks the coordinator singleton through its proxy.
 */
public final class ClusterRoutes implements ManagementRouteProvider {
  static final ContentType.Binary PROTOBUF = ContentTypes.create(MediaTypes.applicationBinary("x-protobuf", false));
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private static final Logger LOG = LoggerFactory.getLogger(ClusterRoutes.class);

  private final ActorSystem<?> system;
  /** Largest request body accepted (a plan: its scenario text and run keys), {@code devemu.http.max-body-bytes}. */
  private final long maxBodyBytes;
  /** Largest scenario text in a plan, {@code devemu.http.max-scenario-bytes}. */
  private final long maxScenarioBytes;

  public ClusterRoutes(ExtendedActorSystem system) {
    this.system = Adapter.toTyped(system);
    var config = system.settings().config();
    this.maxBodyBytes = config.getBytes("devemu.http.max-body-bytes");
    this.maxScenarioBytes = Math.min(config.getBytes("devemu.http.max-scenario-bytes"), ScenarioLoader.MAX_TEXT_BYTES);
  }

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    // Only the paths this provider owns are checked: the health checks of other providers stay open.
    return concat(
        path("ready", () -> get(this::ready)),
        pathPrefix("devemu", () -> authenticated(this::devemuRoutes)),
        pathPrefixTest("cluster", () -> authenticated(() ->
            ClusterHttpManagementRoutes.readOnly(org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system))))));
  }

  /**
   * {@code GET /ready}: 200 when this node can take its share of a campaign, otherwise 503 with the reason: it is
   * not an Up member yet, its journal does not take writes (the probe's reason), or it should host the coordinator
   * and the coordinator has not recovered yet. (Pekko's own readiness check is at {@code /pekko/ready}: it does not
   * know the journal, and answers 500.)
   */
  private Route ready() {
    NodeServices services = NodeServices.get(system);
    String why = notReadyBecause(services);
    if (why == null) return complete(StatusCodes.OK, "ready");
    return complete(StatusCodes.SERVICE_UNAVAILABLE, "not ready: " + why);
  }

  private String notReadyBecause(NodeServices services) {
    String journal = services.journalProblem();
    if (journal != null) return journal;
    Cluster cluster = Cluster.get(system);
    var status = cluster.selfMember().status();
    if (status != org.apache.pekko.cluster.MemberStatus.up() && status != org.apache.pekko.cluster.MemberStatus.weaklyUp()) {
      return "not an Up member of the cluster yet (" + status + ")";
    }
    if (!services.started()) return "the campaign services are starting";
    if (hostsCoordinator(cluster) && !services.coordinatorRecovered()) {
      return "the campaign coordinator is recovering on this node";
    }
    return null;
  }

  /** Whether the singleton belongs on this node: the oldest Up member with the coordinator role. */
  private static boolean hostsCoordinator(Cluster cluster) {
    Member oldest = null;
    for (Member m : cluster.state().getMembers()) {
      if (!m.hasRole(CampaignCoordinator.ROLE) || m.status() != org.apache.pekko.cluster.MemberStatus.up()) continue;
      if (oldest == null || m.isOlderThan(oldest)) oldest = m;
    }
    return oldest != null && oldest.equals(cluster.selfMember());
  }

  /**
   * The inner route if the request carries {@code Authorization: Bearer TOKEN} with this node's token, else 401.
   * The comparison takes the same time wherever the tokens differ ({@link DoorToken#matches}).
   */
  private Route authenticated(java.util.function.Supplier<Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      String expected = NodeServices.get(system).httpToken();
      String presented = header.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
          .map(h -> h.substring(7).strip()).orElse(null);
      if (DoorToken.matches(expected, presented)) return inner.get();
      return complete(HttpResponse.create().withStatus(StatusCodes.UNAUTHORIZED)
          .addHeader(RawHeader.create("WWW-Authenticate", "Bearer realm=\"devemu\""))
          .withEntity(header.isPresent() ? "the token is not this cluster's" : "this door needs a token: "
              + "Authorization: Bearer TOKEN (./devemu reads DEVEMU_TOKEN or --token-file)"));
    });
  }

  private Route devemuRoutes() {
    return concat(
        path("status", () -> get(() -> respond(status()))),
        pathPrefix("campaigns", () -> concat(
            pathEnd(() -> concat(
                post(() -> withSizeLimit(maxBodyBytes, () -> entity(Unmarshaller.entityToByteArray(), this::submit))),
                get(() -> respond(campaigns())))),
            path(PathMatchers.segment(), id -> concat(
                get(() -> respond(progress(id))),
                delete(() -> respond(cancel(id, true))))),
            path(PathMatchers.segment().slash("cancel"), id -> post(() -> respond(cancel(id, false)))),
            path(PathMatchers.segment().slash("results"), this::resultsRoute))));
  }

  private Route resultsRoute(String id) {
    return get(() -> parameterOptional("from", from -> parameterOptional("max", max -> respond(results(id, from, max)))));
  }

  private CompletionStage<HttpResponse> campaigns() {
    return this.<CampaignCoordinator.CampaignsReport>ask(CampaignCoordinator.GetCampaigns::new)
        .thenApply(ClusterRoutes::json);
  }

  private CompletionStage<HttpResponse> progress(String id) {
    return this.<CampaignCoordinator.CampaignProgress>ask(r -> new CampaignCoordinator.GetProgress(id, r))
        .thenApply(p -> p.known() ? json(p) : notFound(id));
  }

  /** Cancel (no further runs start; results kept) or delete (forgotten) a campaign: its progress, or 404. */
  private CompletionStage<HttpResponse> cancel(String id, boolean delete) {
    return this.<CampaignCoordinator.CampaignProgress>ask(r -> new CampaignCoordinator.CancelCampaign(id, delete, r))
        .thenApply(p -> p.cancelled() ? json(p) : notFound(id));
  }

  private Route submit(byte[] body) {
    CampaignPlan plan;
    try {
      plan = ClusterCodecs.plan(CampaignPlanProto.parseFrom(body));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      return complete(StatusCodes.BAD_REQUEST, "not a devemu.v1.CampaignPlanProto: " + e.getMessage());
    }
    // The coordinator parses the scenario as data (ScenarioLoader.parse: no includes, no environment); the size is
    // checked here first so that an oversized text never reaches it.
    try {
      ScenarioLoader.checkSize(plan.scenarioFile(), plan.scenarioSource().getBytes(StandardCharsets.UTF_8).length,
          maxScenarioBytes);
    } catch (ScenarioException e) {
      return complete(StatusCodes.BAD_REQUEST, e.getMessage());
    }
    return respond(this.<CampaignCoordinator.CampaignProgress>ask(r -> new CampaignCoordinator.SubmitCampaign(plan, r))
        .thenApply(p -> p.error().isEmpty() ? json(p)
            : HttpResponse.create().withStatus(StatusCodes.BAD_REQUEST).withEntity(p.error())));
  }

  private CompletionStage<HttpResponse> results(String id, Optional<String> from, Optional<String> max) {
    long start;
    int count;
    try {
      start = Long.parseLong(from.orElse("0"));
      count = Math.min(500, Integer.parseInt(max.orElse("50")));
    } catch (NumberFormatException e) {
      return java.util.concurrent.CompletableFuture.completedFuture(
          HttpResponse.create().withStatus(StatusCodes.BAD_REQUEST).withEntity("from and max are numbers"));
    }
    return this.<CampaignCoordinator.ResultPage>ask(r -> new CampaignCoordinator.GetResults(id, start, count, r))
        .thenApply(page -> HttpResponse.create().withEntity(HttpEntities.create(PROTOBUF,
            ClusterCodecs.page(page).toByteArray())));
  }

  /** Members as this node sees them, and the coordinator's view if it answers. */
  private CompletionStage<HttpResponse> status() {
    Cluster cluster = Cluster.get(system);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("self", cluster.selfMember().address().toString());
    List<Map<String, Object>> members = new ArrayList<>();
    var state = cluster.state();
    for (Member m : state.getMembers()) {
      Map<String, Object> mm = new LinkedHashMap<>();
      mm.put("address", m.address().toString());
      mm.put("status", m.status().toString());
      mm.put("roles", new ArrayList<>(m.getRoles()).stream().filter(r -> !r.startsWith("dc-")).sorted().toList());
      mm.put("reachable", !state.getUnreachable().contains(m));
      members.add(mm);
    }
    out.put("members", members);
    out.put("leader", state.getLeader() == null ? null : state.getLeader().toString());
    NodeServices services = NodeServices.get(system);
    Map<String, Object> journal = new LinkedHashMap<>();
    journal.put("writable", services.journalProblem() == null);
    if (services.journalProblem() != null) journal.put("problem", services.journalProblem());
    out.put("journal", journal);
    String notReady = notReadyBecause(services);
    out.put("ready", notReady == null);
    if (notReady != null) out.put("notReady", notReady);
    if (!services.started()) {
      out.put("coordinator", null);
      out.put("coordinatorError", "this node has not started its campaign services: " + notReady);
      return java.util.concurrent.CompletableFuture.completedFuture(json(out));
    }
    return this.<CampaignCoordinator.CampaignsReport>ask(CampaignCoordinator.GetCampaigns::new).handle((report, failure) -> {
      if (failure != null) {
        out.put("coordinator", null);
        out.put("coordinatorError", "the coordinator did not answer within " + ASK_TIMEOUT.toSeconds() + " s");
      } else {
        out.put("coordinator", report.coordinatorNode());
        out.put("workers", report.workerLanes());
        out.put("campaigns", report.campaigns());
      }
      return json(out);
    });
  }

  private <T> CompletionStage<T> ask(Function<ActorRef<T>, CampaignCoordinator.Command> message) {
    return AskPattern.ask(NodeServices.get(system).coordinator(), message::apply, ASK_TIMEOUT, system.scheduler());
  }

  private static Route respond(CompletionStage<HttpResponse> response) {
    // The cause (an ask timeout naming the singleton proxy's actor path, …) goes to the log, not to the client.
    return completeWithFuture(response.exceptionally(e -> {
      LOG.warn("answering 503: the campaign coordinator did not answer: {}", e.toString());
      return HttpResponse.create().withStatus(StatusCodes.SERVICE_UNAVAILABLE)
          .withEntity("the campaign coordinator is not available; try again (the node's log says why)");
    }));
  }

  private static HttpResponse notFound(String id) {
    return HttpResponse.create().withStatus(StatusCodes.NOT_FOUND).withEntity("no campaign " + id);
  }

  static HttpResponse json(Object value) {
    try {
      return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
          JSON.writeValueAsBytes(value)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
