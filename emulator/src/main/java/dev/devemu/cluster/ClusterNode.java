package dev.devemu.cluster;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster node: the cluster's actor system (named {@code devemu}), the coordinator singleton's manager and
 * proxy, a worker with this node's simulation lanes (if it has the {@code worker} role), and the HTTP door (Pekko
 * Management, with {@link ClusterRoutes}). Closing it leaves the cluster.
 */
public final class ClusterNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
  public static final String SYSTEM_NAME = "devemu";

  private final NodeConfig.Node node;
  private final ActorSystem<Void> system;
  private final LanePool lanes;
  private final String httpAddress;
  private final String tokenSource;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private ClusterNode(NodeConfig.Node node, ActorSystem<Void> system, LanePool lanes, String httpAddress,
      String tokenSource) {
    this.tokenSource = tokenSource;
    this.node = node;
    this.system = system;
    this.lanes = lanes;
    this.httpAddress = httpAddress;
  }

  public static ClusterNode start(NodeConfig nc) throws Exception {
    NodeConfig.Node node = nc.node();
    var config = nc.config();
    // H2's mixed mode starts a small TCP server for the other nodes of this machine: keep it on loopback.
    if (System.getProperty("h2.bindAddress") == null) System.setProperty("h2.bindAddress", "127.0.0.1");
    java.nio.file.Files.createDirectories(node.dataDir());
    // Before the actor system: a bad token setting is bad input, and stops the node before it joins anything.
    DoorToken.Token token = config.getBoolean("devemu.node.http-door") ? DoorToken.forNode(config, node.dataDir()) : null;

    Journal.checkDeployment(config);

    // The node joins only once its journal takes writes and its coordinator manager and worker run (below): a
    // member that cannot journal would otherwise count as Up, and if it were the oldest, the coordinator singleton
    // would wait for it (it starts on the oldest node with the role, once that node's manager runs).
    java.util.List<String> seeds = config.getStringList("pekko.cluster.seed-nodes");
    config = config.withValue("pekko.cluster.seed-nodes",
        com.typesafe.config.ConfigValueFactory.fromIterable(java.util.List.of()));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
    LanePool lanes = null;
    try {
      // The door first: while the journal is not writable, /ready answers 503 with the reason and status shows it.
      String http = null;
      if (token != null) {
        NodeServices.get(system).httpToken(token.value());
        var uri = PekkoManagement.get(system).start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        http = uri.host().address() + ":" + uri.port();
      }
      awaitJournal(system, config, node.number());
      watchJournal(system, config);
      Duration heartbeat = config.getDuration("devemu.node.heartbeat");
      ActorRef<CampaignCoordinator.Command> coordinator =
          CampaignCoordinator.initSingleton(system, config.getDuration("devemu.node.assignment-timeout"),
              CampaignCoordinator.Limits.from(config), config.getInt("devemu.node.snapshot-every"));
      NodeServices.get(system).coordinator(coordinator);
      if (node.worker()) {
        lanes = new LanePool("devemu-lanes-" + node.port(), node.lanes());
        system.systemActorOf(RunWorker.create(coordinator, lanes, heartbeat), "worker", Props.empty());
        // time domains of runs whose guest runs on another node can be placed here (docs/domains.md, "Nodes")
        ActorRef<Object> domains = system.systemActorOf(DomainHost.create(), "domain-host", Props.empty());
        system.receptionist().tell(org.apache.pekko.actor.typed.receptionist.Receptionist.register(DomainHost.KEY,
            domains));
      }
      if (config.getString("devemu.deployment.discovery").equals("kubernetes")) {
        ClusterBootstrap.get(system).start();
      } else if (!seeds.isEmpty()) {
        java.util.List<org.apache.pekko.actor.Address> addresses = new java.util.ArrayList<>();
        for (String s : seeds) addresses.add(org.apache.pekko.actor.AddressFromURIString.parse(s));
        org.apache.pekko.cluster.typed.Cluster.get(system).manager()
            .tell(new org.apache.pekko.cluster.typed.JoinSeedNodes(addresses));
      }
      LOG.info("node {} up: {} http={}{}", node.number(), system.address(), http,
          token == null ? "" : " (bearer token: " + token.source() + ")");
      return new ClusterNode(node, system, lanes, http, token == null ? null : token.source());
    } catch (Exception | Error e) {
      system.terminate();
      if (lanes != null) lanes.close();
      throw e;
    }
  }

  /**
   * Creates the journal's tables if they are missing and writes one probe row; until that works, says why (log,
   * {@code /ready}, {@code status}) and tries again. A node whose journal does not take writes never says "up" and
   * starts no coordinator: one that did would crash-loop on recovery.
   */
  private static void awaitJournal(ActorSystem<Void> system, com.typesafe.config.Config config, int number)
      throws InterruptedException {
    NodeServices services = NodeServices.get(system);
    Duration retry = config.getDuration("devemu.node.journal-check-interval");
    String self = system.address().toString();
    String said = null;
    while (true) {
      String problem;
      try {
        if (config.getBoolean("devemu.node.create-schema")) Journal.createSchema(system, config);
        problem = Journal.probe(config, self);
      } catch (Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().lines().findFirst().orElse("");
        problem = "the journal (" + Journal.describe(config) + ") could not be prepared: " + m;
      }
      services.journalProblem(problem);
      if (problem == null) {
        if (said != null) LOG.info("node {}: the journal takes writes again", number);
        return;
      }
      if (!problem.equals(said)) {
        LOG.error("node {} is not ready: {} (retrying every {} s)", number, problem, retry.toSeconds());
        said = problem;
      }
      if (system.getWhenTerminated().toCompletableFuture().isDone()) throw new IllegalStateException("stopped while waiting for the journal");
      Thread.sleep(retry.toMillis());
    }
  }

  /**
   * Probes the journal again now and then, so that /ready and status notice a journal that went away. A database
   * that is frozen (SIGSTOP, a paused VM) still accepts TCP connections and answers nothing: the probe then hangs
   * until the driver gives up (5.4–6 s measured with a local PostgreSQL; more where the driver retries, e.g. an SSL
   * attempt and its fallback), and /ready says 200 all that time. So a watchdog reports the journal as not writable
   * once a probe has run longer than {@code devemu.node.journal-probe-timeout}, whatever the driver does; the
   * probe's own answer replaces that when it comes ({@code JournalPauseTest}).
   */
  private static void watchJournal(ActorSystem<Void> system, com.typesafe.config.Config config) {
    if (Journal.kind(config) == Journal.Kind.IN_MEMORY) return;
    Duration every = config.getDuration("devemu.node.journal-check-interval");
    Duration limit = config.getDuration("devemu.node.journal-probe-timeout");
    NodeServices services = NodeServices.get(system);
    String self = system.address().toString();
    Object lock = new Object();
    long[] probeStarted = {0}; // System.nanoTime() of the running probe, 0 when none runs
    system.scheduler().scheduleWithFixedDelay(every, every, () -> {
      synchronized (lock) {
        probeStarted[0] = System.nanoTime();
      }
      String now = Journal.probe(config, self);
      String before;
      synchronized (lock) {
        probeStarted[0] = 0;
        before = services.journalProblem();
        services.journalProblem(now);
      }
      if (now != null && !now.equals(before)) LOG.error("{}", now);
      if (now == null && before != null) LOG.info("the journal takes writes again");
    }, system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
    Duration watch = limit.dividedBy(4).compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100)
        : limit.dividedBy(4);
    system.scheduler().scheduleWithFixedDelay(watch, watch, () -> {
      String problem = null;
      synchronized (lock) {
        long started = probeStarted[0];
        if (started != 0 && System.nanoTime() - started > limit.toNanos() && services.journalProblem() == null) {
          problem = "the journal (" + Journal.describe(config) + ") has not answered a probe write for "
              + limit.toSeconds() + " s";
          services.journalProblem(problem);
        }
      }
      if (problem != null) LOG.error("{}", problem);
    }, system.executionContext());
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public NodeConfig.Node node() {
    return node;
  }

  /** {@code host:port} of this node's HTTP door, or null if it has none ({@code devemu.node.http-door = off}). */
  public String httpAddress() {
    return httpAddress;
  }

  /** Where the door's bearer token comes from (e.g. {@code file devemu-data/http-token}), or null without a door. */
  public String tokenSource() {
    return tokenSource;
  }

  /** Blocks until the node's actor system has terminated (it left, or it was downed). */
  public void awaitTermination() throws InterruptedException {
    try {
      system.getWhenTerminated().toCompletableFuture().get();
    } catch (java.util.concurrent.ExecutionException e) {
      // terminated anyway
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("node {} did not stop within 30 s: {}", node.number(), e.toString());
    }
    if (lanes != null) lanes.close();
  }
}
