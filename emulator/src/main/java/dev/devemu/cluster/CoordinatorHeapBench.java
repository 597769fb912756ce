package dev.devemu.cluster;

import com.typesafe.config.ConfigFactory;
import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import dev.devemu.campaign.RunRecord;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The coordinator's heap over a long campaign ({@code ./devemu bench --only coordinator}): a coordinator-only node in
 * this JVM with its H2 journal on disk (as a single node has it; PostgreSQL keeps the journal out of the heap too)
 * and snapshots every {@code devemu.node.snapshot-every} events, a campaign of {@code runs} keys, a stand-in worker
 * that answers every run it is handed at once with the same recorded result (so the coordinator, not the
 * simulation, is measured), and a client that reads the results as they are recorded, as {@code campaign --cluster}
 * does. The used heap after a full GC is read with the plan accepted and nothing run (what an outstanding run costs),
 * then at every fifth of the results, and once with a client that reads nothing (what a kept result costs).
 */
public final class CoordinatorHeapBench {
  /** Used heap (bytes, after full GC) at points of the campaign. */
  public record Result(int runs, long baseline, long planned, List<long[]> readingClient, int unreadRuns,
      long notReadAtEnd, int resultBytes) {
    /** Heap per planned run not yet run. */
    public double bytesPerOutstandingRun() {
      return (planned - baseline) / (double) runs;
    }

    /** Heap per recorded result that no client has read (kept until one does). */
    public double bytesPerUnreadResult() {
      return (notReadAtEnd - baseline) / (double) unreadRuns;
    }
  }

  private CoordinatorHeapBench() {}

  /**
   * @param unreadRuns runs of the campaign that no client reads (fewer: each snapshot holds every unread result)
   * @param record the result every run reports (a real one: its size is what a coordinator keeps per unread result)
   * @param progress receives a line per measurement
   */
  public static Result run(Path dir, int runs, int unreadRuns, String scenarioSource, RunRecord record,
      Consumer<String> progress) throws Exception {
    long baseline;
    long planned;
    List<long[]> reading = new ArrayList<>();
    long notRead;
    try (ClusterNode node = start(dir.resolve("reading"))) {
      baseline = usedAfterGc();
      planned = drive(node, "reading", runs, scenarioSource, record, true, reading, progress);
    }
    try (ClusterNode node = start(dir.resolve("not-reading"))) {
      List<long[]> points = new ArrayList<>();
      drive(node, "not-reading", unreadRuns, scenarioSource, record, false, points, progress);
      notRead = points.get(points.size() - 1)[1];
    }
    return new Result(runs, baseline, planned, reading, unreadRuns, notRead,
        ClusterCodecs.record(record).getSerializedSize());
  }

  private static ClusterNode start(Path data) throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    var extra = ConfigFactory.parseString("""
        devemu.deployment.nodes = [ { host = "127.0.0.1", port = %d, http-port = 0, roles = [coordinator] } ]
        devemu.node.http-door = off
        devemu.limits.max-runs-per-campaign = 10000000
        devemu.limits.max-total-runs = 10000000
        devemu.limits.max-device-hours-per-campaign = 1e12
        devemu.limits.max-total-device-hours = 1e12
        pekko.loglevel = WARNING
        pekko.cluster.periodic-tasks-initial-delay = 100ms
        """.formatted(port)).withFallback(ConfigFactory.parseString("pekko.cluster.jmx.multi-mbeans-in-same-jvm = on"));
    ClusterNode node = ClusterNode.start(NodeConfig.load(null, 1,
        new NodeConfig.Overrides(null, null, null, data, 1), extra));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!NodeServices.get(node.system()).coordinatorRecovered()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("the coordinator did not start");
      Thread.sleep(50);
    }
    return node;
  }

  /** Runs the campaign; adds {results so far, used heap} at every fifth; returns the heap with only the plan. */
  private static long drive(ClusterNode node, String id, int runs, String scenarioSource, RunRecord record,
      boolean read, List<long[]> points, Consumer<String> progress) throws Exception {
    var system = node.system();
    ActorRef<CampaignCoordinator.Command> coordinator = NodeServices.get(system).coordinator();
    List<RunKey> keys = new ArrayList<>(runs);
    for (int s = 1; keys.size() < runs; s++) {
      keys.add(new RunKey(s, dev.devemu.kernel.Variant.RAW));
      if (keys.size() < runs) keys.add(new RunKey(s, dev.devemu.kernel.Variant.SAFE));
    }
    CampaignCoordinator.CampaignProgress accepted = AskPattern.<CampaignCoordinator.Command,
        CampaignCoordinator.CampaignProgress>ask(coordinator, r -> new CampaignCoordinator.SubmitCampaign(
        new CampaignPlan(id, "bench.conf", scenarioSource, keys, 0), r), Duration.ofSeconds(60), system.scheduler())
        .toCompletableFuture().get();
    if (!accepted.error().isEmpty()) throw new IllegalStateException(accepted.error());
    keys.clear();
    long planned = usedAfterGc();
    progress.accept(String.format("coordinator heap: %d runs planned, none run: used %d MiB", runs, planned >> 20));

    String self = system.address().toString();
    system.systemActorOf(standInWorker(coordinator, self, id, record), "bench-worker-" + id,
        org.apache.pekko.actor.typed.Props.empty());
    long cursor = 0;
    long step = Math.max(1, runs / 5);
    long nextPoint = step;
    while (true) {
      long from = read ? cursor : 0;
      CampaignCoordinator.ResultPage page = AskPattern.<CampaignCoordinator.Command, CampaignCoordinator.ResultPage>ask(
          coordinator, r -> new CampaignCoordinator.GetResults(id, from, 500, r), Duration.ofSeconds(60),
          system.scheduler()).toCompletableFuture().get();
      if (read) cursor = page.from() + page.results().size();
      boolean last = page.finished() && (!read || cursor >= page.done());
      if (page.done() >= nextPoint || last) {
        point(points, page.done(), runs, read, progress);
        nextPoint = (page.done() / step + 1) * step;
      }
      if (last) break;
      if (page.results().isEmpty()) Thread.sleep(20);
    }
    return planned;
  }

  private static void point(List<long[]> points, long done, int runs, boolean read, Consumer<String> progress) {
    long used = usedAfterGc();
    points.add(new long[] {done, used});
    progress.accept(String.format("coordinator heap: %d/%d results recorded, %s: used %d MiB", done, runs,
        read ? "a client reading them" : "no client reading", used >> 20));
  }

  /** Answers every run it is handed with {@code record} (its key set to the run's), and asks for more. */
  private static Behavior<RunWorker.Command> standInWorker(ActorRef<CampaignCoordinator.Command> coordinator,
      String node, String campaignId, RunRecord record) {
    return Behaviors.setup(ctx -> {
      int free = 256;
      coordinator.tell(new CampaignCoordinator.WorkRequested(ctx.getSelf(), node, free, List.of(), "", 0, 1));
      return Behaviors.receive(RunWorker.Command.class).onMessage(RunWorker.WorkAssigned.class, m -> {
        for (RunRequest r : m.runs()) {
          RunRecord rec = new RunRecord(r.key().seed(), r.key().variant(), record.outcome(), record.virtualNanos(),
              record.exposureNanos(), record.oopses(), record.probeFailures(), record.faultsInjected(),
              record.hotplugEvents(), record.internalError(), record.choices());
          coordinator.tell(new CampaignCoordinator.RunCompleted(ctx.getSelf(), node, campaignId, r.key(), rec));
        }
        coordinator.tell(new CampaignCoordinator.WorkRequested(ctx.getSelf(), node, free, List.of(), m.epoch(),
            m.seq(), 1));
        return Behaviors.same();
      }).build();
    });
  }

  static long usedAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
