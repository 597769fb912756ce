package dev.devemu.cluster;

import dev.devemu.campaign.CampaignPlan;
import dev.devemu.campaign.RunKey;
import dev.devemu.campaign.RunRecord;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.wire.CrossNode;
import dev.devemu.wire.LocalOnly;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The campaign coordinator: a cluster singleton that accepts plans, hands runs to the workers that ask for them
 * (work pulling), and records each result once in its journal.
 *
 * <p>Two kinds of state. The journal ({@link CampaignState}, rebuilt from {@link PlanAccepted} and
 * {@link ResultRecorded} events) is the truth: which runs a campaign has and which results are recorded. The
 * dispatch state (which worker holds which run, how many more it can take) lives only in this incarnation; a
 * restarted coordinator starts with every unrecorded run pending and learns from the workers' heartbeats what they
 * still hold. A run may therefore execute twice (a worker died, a coordinator moved); runs are deterministic and a
 * key is recorded once, so the result set is the same.
 */
public final class CampaignCoordinator
    extends EventSourcedBehavior<CampaignCoordinator.Command, CampaignCoordinator.Event, CampaignState> {

  /** One coordinator per cluster, one journal for it. */
  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("devemu-coordinator");
  /** Results per page stay under this many bytes (remoting frames are 1 MiB). */
  private static final long PAGE_BYTES = 512 * 1024;
  /** Cluster role of the nodes that may host the coordinator. */
  public static final String ROLE = "coordinator";

  public sealed interface Command permits WorkRequested, RunCompleted, SubmitCampaign, GetProgress, GetResults,
      GetCampaigns, CancelCampaign, WorkerTerminated, JournalResults {}

  /**
   * Bounds on the work a cluster accepts ({@code devemu.limits}). Per campaign: its planned runs and their simulated
   * device-hours; in total: the runs not yet run over all campaigns that are not cancelled, and their device-hours.
   * A submission beyond one is refused (HTTP 400, exit 2) with the limit's name.
   */
  public record Limits(long runsPerCampaign, double deviceHoursPerCampaign, long totalRuns, double totalDeviceHours) {
    public static Limits from(com.typesafe.config.Config c) {
      return new Limits(c.getLong("devemu.limits.max-runs-per-campaign"),
          c.getDouble("devemu.limits.max-device-hours-per-campaign"), c.getLong("devemu.limits.max-total-runs"),
          c.getDouble("devemu.limits.max-total-device-hours"));
    }

    public static Limits none() {
      return new Limits(Long.MAX_VALUE, Double.MAX_VALUE, Long.MAX_VALUE, Double.MAX_VALUE);
    }
  }

  /** Stop starting runs of a campaign ({@code delete} false), or forget it and its results ({@code delete} true). */
  public record CancelCampaign(String campaignId, boolean delete, ActorRef<CampaignProgress> replyTo)
      implements Command, CrossNode {}

  /**
   * A worker's heartbeat, also sent after each run: it can take {@code free} more runs, holds {@code holding}, and
   * has received batches up to {@code lastSeq} from coordinator incarnation {@code epoch}.
   */
  public record WorkRequested(ActorRef<RunWorker.Command> worker, String node, int free, List<HeldRun> holding,
      String epoch, long lastSeq, int lanes) implements Command, CrossNode {}

  /** A finished run, as the worker's lane recorded it. */
  public record RunCompleted(ActorRef<RunWorker.Command> worker, String node, String campaignId, RunKey key,
      RunRecord record) implements Command, CrossNode {}

  /** A client submits a plan, or resubmits it to resume: runs new to the campaign are added, the rest kept. */
  public record SubmitCampaign(CampaignPlan plan, ActorRef<CampaignProgress> replyTo) implements Command, CrossNode {}

  public record GetProgress(String campaignId, ActorRef<CampaignProgress> replyTo) implements Command, CrossNode {}

  /** Results from index {@code from} in recording order (a client that reconnects asks from what it has). */
  public record GetResults(String campaignId, long from, int max, ActorRef<ResultPage> replyTo)
      implements Command, CrossNode {}

  public record GetCampaigns(ActorRef<CampaignsReport> replyTo) implements Command, CrossNode {}

  private record WorkerTerminated(ActorRef<RunWorker.Command> worker) implements Command, LocalOnly {}

  /** Sent to itself after a result arrives: write every result received since, in one journal transaction. */
  private enum JournalResults implements Command, LocalOnly { INSTANCE }

  /** Where a campaign stands. {@code error} is set when a submission was refused. */
  public record CampaignProgress(String campaignId, boolean known, String scenarioFile, long planned, long done,
      boolean finished, Map<String, Long> doneByNode, Map<String, Long> runningByNode, long duplicatesIgnored,
      String error, boolean cancelled) implements CrossNode {

    static CampaignProgress unknown(String id, String error) {
      return new CampaignProgress(id, false, "", 0, 0, false, Map.of(), Map.of(), 0, error, false);
    }
  }

  public record CampaignsReport(String coordinatorNode, List<CampaignProgress> campaigns, Map<String, Long> workerLanes)
      implements CrossNode {}

  public record ResultPage(String campaignId, boolean known, long from, List<RecordedRun> results, long done,
      long planned, boolean finished) implements CrossNode {}

  public sealed interface Event extends CrossNode permits PlanAccepted, ResultRecorded, ResultsWritten,
      RunsReopened, CampaignCancelled, CampaignDeleted {}

  /** Runs added to a campaign (all of them when it is new). */
  public record PlanAccepted(CampaignPlan plan) implements Event {}

  public record ResultRecorded(String campaignId, RecordedRun run) implements Event {}

  /** A client has written every result before index {@code upTo} (recording order): they leave memory. */
  public record ResultsWritten(String campaignId, long upTo) implements Event {}

  /**
   * Keys whose results were forgotten ({@link ResultsWritten}) and that a client submitted again: it does not have
   * them (another client of the same campaign wrote them, or a crash cut its results.jsonl), so they run again.
   */
  public record RunsReopened(String campaignId, List<RunKey> keys) implements Event {}

  public record CampaignCancelled(String campaignId) implements Event {}

  public record CampaignDeleted(String campaignId) implements Event {}

  /** The state as a snapshot stores it: an immutable copy (the live state is mutable). */
  public record CoordinatorSnapshot(List<CampaignSnapshot> campaigns) implements CrossNode {}

  public record CampaignSnapshot(String campaignId, String scenarioFile, String scenarioSource,
      long durationOverrideNanos, Map<String, java.util.BitSet> plannedSeeds, List<RunKey> plannedOthers,
      Map<String, java.util.BitSet> recordedSeeds, List<RunKey> recordedOthers, List<RecordedRun> unwritten,
      long written, Map<String, Long> doneByNode, boolean cancelled, boolean coverage) {}

  /** Starts the singleton manager on nodes with {@link #ROLE} and returns this node's proxy to it. */
  public static ActorRef<Command> initSingleton(ActorSystem<?> system, Duration assignmentTimeout, Limits limits,
      int snapshotEvery) {
    return ClusterSingleton.get(system).init(SingletonActor.of(create(assignmentTimeout, limits, snapshotEvery),
        "campaign-coordinator").withSettings(ClusterSingletonSettings.create(system).withRole(ROLE)));
  }

  /** @param snapshotEvery events between two snapshots (0: none) */
  public static Behavior<Command> create(Duration assignmentTimeout, Limits limits, int snapshotEvery) {
    return Behaviors.setup(ctx -> new CampaignCoordinator(ctx, assignmentTimeout, limits, snapshotEvery));
  }

  /** A worker as this incarnation knows it. */
  private static final class Worker {
    final ActorRef<RunWorker.Command> ref;
    String node = "";
    int lanes;
    int demand;
    long sentSeq;
    final Deque<Batch> unacked = new ArrayDeque<>();
    final Set<HeldRun> assigned = new LinkedHashSet<>();

    Worker(ActorRef<RunWorker.Command> ref) {
      this.ref = ref;
    }
  }

  private record Batch(long seq, List<HeldRun> runs, long sentAtNanos) {}

  private final ActorContext<Command> ctx;
  private final long assignmentTimeoutNanos;
  private final String selfNode;

  // Dispatch state of this incarnation (reset on recovery).
  private String epoch;
  private final Map<ActorRef<RunWorker.Command>, Worker> workers = new LinkedHashMap<>();
  private final Map<String, TreeSet<RunKey>> pending = new LinkedHashMap<>();
  private final Map<HeldRun, ActorRef<RunWorker.Command>> assigned = new HashMap<>();
  private final Map<String, Long> duplicates = new HashMap<>();
  /**
   * Results received and not yet in the journal, in arrival order. They are written together (one transaction) by
   * {@link JournalResults}: while one write is in flight, Pekko stashes the results that arrive, and the next write
   * takes all of them, so the journal's commit latency bounds writes per second, not results per second. A
   * result here is not recorded yet — no client sees it, and a coordinator that dies loses it and runs its key
   * again — so an acknowledged result is still one that is in the journal.
   */
  private final Map<HeldRun, ResultRecorded> unjournaled = new LinkedHashMap<>();
  private boolean journalingScheduled;

  private final Limits limits;
  private final int snapshotEvery;

  private CampaignCoordinator(ActorContext<Command> ctx, Duration assignmentTimeout, Limits limits, int snapshotEvery) {
    super(PERSISTENCE_ID, SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.ctx = ctx;
    this.assignmentTimeoutNanos = assignmentTimeout.toNanos();
    this.selfNode = Cluster.get(ctx.getSystem()).selfMember().address().toString();
    this.limits = limits;
    this.snapshotEvery = snapshotEvery;
  }

  /**
   * Snapshots every {@code snapshotEvery} events, keeping two, and deletes the events before them: recovery reads a
   * snapshot plus the events since, and the journal does not grow without end.
   */
  @Override
  public org.apache.pekko.persistence.typed.javadsl.RetentionCriteria retentionCriteria() {
    if (snapshotEvery <= 0) return org.apache.pekko.persistence.typed.javadsl.RetentionCriteria.disabled();
    return org.apache.pekko.persistence.typed.javadsl.RetentionCriteria.snapshotEvery(snapshotEvery, 2)
        .withDeleteEventsOnSnapshot();
  }

  @Override
  public org.apache.pekko.persistence.typed.SnapshotAdapter<CampaignState> snapshotAdapter() {
    return new org.apache.pekko.persistence.typed.SnapshotAdapter<>() {
      @Override
      public Object toJournal(CampaignState state) {
        return state.snapshot();
      }

      @Override
      public CampaignState fromJournal(Object from) {
        return CampaignState.of((CoordinatorSnapshot) from);
      }
    };
  }

  @Override
  public CampaignState emptyState() {
    return new CampaignState();
  }

  @Override
  public EventHandler<CampaignState, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(CampaignState::apply);
  }

  @Override
  public SignalHandler<CampaignState> signalHandler() {
    NodeServices services = NodeServices.get(ctx.getSystem());
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.class, this::onRecovered)
        .onSignal(org.apache.pekko.persistence.typed.RecoveryFailed.class, (s, sig) -> services.coordinatorRecovered(false))
        .onSignal(org.apache.pekko.actor.typed.PreRestart.class, (s, sig) -> services.coordinatorRecovered(false))
        .onSignal(org.apache.pekko.actor.typed.PostStop.class, (s, sig) -> services.coordinatorRecovered(false))
        .build();
  }

  @Override
  public CommandHandler<Command, Event, CampaignState> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(WorkRequested.class, this::onWorkRequested)
        .onCommand(RunCompleted.class, this::onRunCompleted)
        .onCommand(SubmitCampaign.class, this::onSubmit)
        .onCommand(GetProgress.class, (s, m) -> {
          CampaignState.Campaign c = s.campaigns.get(m.campaignId());
          m.replyTo().tell(c == null ? CampaignProgress.unknown(m.campaignId(), "") : progress(c));
          return Effect().none();
        })
        .onCommand(GetResults.class, this::onGetResults)
        .onCommand(GetCampaigns.class, (s, m) -> {
          List<CampaignProgress> all = new ArrayList<>();
          for (CampaignState.Campaign c : s.campaigns.values()) all.add(progress(c));
          Map<String, Long> lanes = new TreeMap<>();
          for (Worker w : workers.values()) lanes.merge(w.node, (long) w.lanes, Long::sum);
          m.replyTo().tell(new CampaignsReport(selfNode, all, lanes));
          return Effect().none();
        })
        .onCommand(CancelCampaign.class, this::onCancel)
        .onCommand(WorkerTerminated.class, this::onWorkerTerminated)
        .onCommand(JournalResults.class, (s, m) -> onJournalResults())
        .build();
  }

  private void onRecovered(CampaignState state, RecoveryCompleted signal) {
    // A new incarnation: nothing is assigned; every unrecorded run is pending until a worker says it holds it.
    epoch = UUID.randomUUID().toString();
    workers.clear();
    assigned.clear();
    pending.clear();
    duplicates.clear();
    unjournaled.clear(); // lost with the old incarnation: their keys are pending again, and run again
    journalingScheduled = false;
    int open = 0;
    for (CampaignState.Campaign c : state.campaigns.values()) {
      TreeSet<RunKey> p = new TreeSet<>();
      if (!c.cancelled) for (RunKey k : c.planned.keys()) if (!c.recorded.contains(k)) p.add(k);
      pending.put(c.id, p);
      if (!p.isEmpty()) open++;
    }
    ctx.getLog().info("coordinator on {} recovered {} campaign(s), {} unfinished", selfNode, state.campaigns.size(), open);
    NodeServices.get(ctx.getSystem()).coordinatorRecovered(true); // /ready on this node may say yes
  }

  private Effect<Event, CampaignState> onSubmit(CampaignState state, SubmitCampaign m) {
    CampaignPlan plan = m.plan();
    String error = validate(plan);
    if (error == null) {
      CampaignState.Campaign existing = state.campaigns.get(plan.campaignId());
      if (existing != null && !existing.sameScenario(plan)) {
        error = "campaign " + plan.campaignId() + " already exists with another scenario or duration";
      }
    }
    CampaignState.Campaign existing = state.campaigns.get(plan.campaignId());
    if (error == null && existing != null && existing.cancelled) {
      error = "campaign " + plan.campaignId() + " was cancelled; delete it (devemu campaign --delete "
          + plan.campaignId() + " --cluster …) to run it again";
    }
    List<RunKey> fresh = new ArrayList<>();
    if (error == null) {
      Set<RunKey> seen = new HashSet<>();
      for (RunKey k : plan.runs()) {
        if (seen.add(k) && (existing == null || !existing.planned.contains(k))) fresh.add(k);
      }
      error = overLimit(state, plan, existing, fresh.size());
    }
    if (error != null) {
      ctx.getLog().warn("campaign {} refused: {}", plan.campaignId(), error);
      m.replyTo().tell(CampaignProgress.unknown(plan.campaignId(), error));
      return Effect().none();
    }
    List<RunKey> reopened = existing == null ? List.of() : forgotten(existing, plan.runs());
    if (existing != null && fresh.isEmpty() && reopened.isEmpty()) {
      m.replyTo().tell(progress(existing));
      return Effect().none();
    }
    List<Event> events = new ArrayList<>();
    if (!fresh.isEmpty()) {
      events.add(new PlanAccepted(new CampaignPlan(plan.campaignId(), plan.scenarioFile(), plan.scenarioSource(),
          List.copyOf(fresh), plan.durationOverrideNanos(), plan.coverage())));
    }
    if (!reopened.isEmpty()) events.add(new RunsReopened(plan.campaignId(), reopened));
    return Effect().persist(events).thenRun(s -> {
      CampaignState.Campaign c = s.campaigns.get(plan.campaignId());
      TreeSet<RunKey> p = pending.computeIfAbsent(c.id, id -> new TreeSet<>());
      for (RunKey k : fresh) if (c.needs(k)) p.add(k);
      for (RunKey k : reopened) if (c.needs(k) && !assigned.containsKey(new HeldRun(c.id, k))) p.add(k);
      if (!reopened.isEmpty()) {
        ctx.getLog().info("campaign {}: {} run(s) asked for again after their results were forgotten run again",
            c.id, reopened.size());
      }
      ctx.getLog().info("campaign {} accepted: {} run(s) added, {} planned", c.id, fresh.size(), c.planned.size());
      assignWork(s);
      m.replyTo().tell(progress(c));
    });
  }

  /**
   * The keys of {@code asked} that have a result this coordinator no longer holds (a client read past it): the
   * client that asks for them does not have them, and only running them again gives them back.
   */
  private List<RunKey> forgotten(CampaignState.Campaign c, List<RunKey> asked) {
    Set<RunKey> kept = new HashSet<>();
    for (RecordedRun r : c.unwritten) kept.add(r.key());
    List<RunKey> out = new ArrayList<>();
    Set<RunKey> seen = new HashSet<>();
    for (RunKey k : asked) {
      if (seen.add(k) && c.recorded.contains(k) && !kept.contains(k) && !unjournaled.containsKey(new HeldRun(c.id, k))) {
        out.add(k);
      }
    }
    return out;
  }

  /** Which limit adding {@code fresh} runs to the campaign would break (a sentence naming it), or null. */
  private String overLimit(CampaignState state, CampaignPlan plan, CampaignState.Campaign existing, long fresh) {
    long perRun = existing != null ? existing.deviceNanosPerRun()
        : CampaignState.Campaign.deviceNanosPerRun(plan.scenarioFile(), plan.scenarioSource(), plan.durationOverrideNanos());
    double hoursPerRun = perRun / (double) dev.devemu.campaign.CampaignSpec.NANOS_PER_HOUR;
    long runs = (existing == null ? 0 : existing.planned.size()) + fresh;
    if (runs > limits.runsPerCampaign()) {
      return "campaign " + plan.campaignId() + " would plan " + runs + " runs, over devemu.limits.max-runs-per-campaign = "
          + limits.runsPerCampaign();
    }
    if (runs * hoursPerRun > limits.deviceHoursPerCampaign()) {
      return String.format(java.util.Locale.ROOT, "campaign %s would plan %.1f device-hours, over "
          + "devemu.limits.max-device-hours-per-campaign = %s", plan.campaignId(), runs * hoursPerRun,
          limits.deviceHoursPerCampaign());
    }
    long outstanding = fresh;
    double outstandingHours = fresh * hoursPerRun;
    for (CampaignState.Campaign c : state.campaigns.values()) {
      if (c.cancelled) continue;
      long left = c.planned.size() - c.recorded.size();
      outstanding += left;
      outstandingHours += left * (c.deviceNanosPerRun() / (double) dev.devemu.campaign.CampaignSpec.NANOS_PER_HOUR);
    }
    if (outstanding > limits.totalRuns()) {
      return "the cluster would have " + outstanding + " runs to do, over devemu.limits.max-total-runs = "
          + limits.totalRuns();
    }
    if (outstandingHours > limits.totalDeviceHours()) {
      return String.format(java.util.Locale.ROOT, "the cluster would have %.1f device-hours to simulate, over "
          + "devemu.limits.max-total-device-hours = %s", outstandingHours, limits.totalDeviceHours());
    }
    return null;
  }

  private Effect<Event, CampaignState> onCancel(CampaignState state, CancelCampaign m) {
    CampaignState.Campaign c = state.campaigns.get(m.campaignId());
    if (c == null) {
      m.replyTo().tell(CampaignProgress.unknown(m.campaignId(), ""));
      return Effect().none();
    }
    pending.remove(c.id); // runs already handed out finish; their results are not needed any more
    if (m.delete()) {
      return Effect().persist(new CampaignDeleted(c.id)).thenRun(s -> {
        ctx.getLog().info("campaign {} deleted", c.id);
        m.replyTo().tell(new CampaignProgress(c.id, false, c.scenarioFile, 0, 0, true, Map.of(), Map.of(), 0,
            "deleted", true));
      });
    }
    if (c.cancelled) {
      m.replyTo().tell(progress(c));
      return Effect().none();
    }
    return Effect().persist(new CampaignCancelled(c.id)).thenRun(s -> {
      ctx.getLog().info("campaign {} cancelled with {} of {} run(s) done", c.id, c.done(), c.planned.size());
      m.replyTo().tell(progress(s.campaigns.get(c.id)));
    });
  }

  private static String validate(CampaignPlan plan) {
    if (plan.campaignId() == null || plan.campaignId().isBlank()) return "a campaign needs an id";
    if (plan.runs().isEmpty()) return "campaign " + plan.campaignId() + " has no runs";
    try {
      ScenarioLoader.parse(plan.scenarioFile(), plan.scenarioSource());
      return null;
    } catch (ScenarioException e) {
      return e.getMessage();
    }
  }

  private Effect<Event, CampaignState> onRunCompleted(CampaignState state, RunCompleted m) {
    HeldRun run = new HeldRun(m.campaignId(), m.key());
    Worker sender = workers.get(m.worker());
    // Only a result for a run this incarnation handed to that very worker counts: anything else (a member that
    // was never given the key, a process that is not a member, a result from before a move) is dropped; the key
    // stays pending or assigned and runs where it was sent.
    if (sender == null || !isMember(m.worker(), true) || !m.worker().equals(assigned.get(run))) {
      ctx.getLog().warn("result for run {} of campaign {} from {} dropped: that run was not handed to it",
          m.key(), m.campaignId(), m.worker().path().address());
      return Effect().none();
    }
    assigned.remove(run);
    sender.assigned.remove(run);
    CampaignState.Campaign c = state.campaigns.get(m.campaignId());
    if (c == null || !c.planned.contains(m.key()) || c.cancelled) {
      ctx.getLog().info("result for run {} of campaign {} ignored: the campaign {}", m.key(), m.campaignId(),
          c == null ? "is unknown (deleted?)" : c.cancelled ? "was cancelled" : "does not plan it");
      return Effect().none();
    }
    if (c.recorded.contains(m.key()) || unjournaled.containsKey(run)) {
      // A re-run (after a node died or the coordinator moved): the key already counts once.
      duplicates.merge(c.id, 1L, Long::sum);
      return Effect().none();
    }
    // The node is the sender's address, not what the message claims.
    String node = m.worker().path().address().hasGlobalScope() ? m.worker().path().address().toString() : selfNode;
    unjournaled.put(run, new ResultRecorded(c.id, new RecordedRun(m.key(), m.record(), node)));
    TreeSet<RunKey> p = pending.get(c.id);
    if (p != null) p.remove(m.key()); // released earlier (its worker looked gone), yet here it is: no need to run it
    if (!journalingScheduled) {
      journalingScheduled = true;
      ctx.getSelf().tell(JournalResults.INSTANCE); // after the results already in the mailbox
    }
    return Effect().none();
  }

  private Effect<Event, CampaignState> onJournalResults() {
    journalingScheduled = false;
    if (unjournaled.isEmpty()) return Effect().none();
    List<Event> events = new ArrayList<>(unjournaled.values());
    return Effect().persist(events).thenRun(s -> {
      Set<String> touched = new LinkedHashSet<>();
      for (Event e : events) {
        ResultRecorded r = (ResultRecorded) e;
        unjournaled.remove(new HeldRun(r.campaignId(), r.run().key()));
        touched.add(r.campaignId());
      }
      for (String id : touched) {
        CampaignState.Campaign c = s.campaigns.get(id);
        if (c != null && c.finished()) ctx.getLog().info("campaign {} finished: {} run(s)", c.id, c.done());
      }
    });
  }

  private Effect<Event, CampaignState> onWorkRequested(CampaignState state, WorkRequested m) {
    Worker w = workers.get(m.worker());
    if (w == null) {
      if (!isMember(m.worker(), false)) {
        // A node that is not (or no longer) Up: watching it would end at once. It asks again when it is Up.
        return Effect().none();
      }
      w = new Worker(m.worker());
      workers.put(m.worker(), w);
      ctx.watchWith(m.worker(), new WorkerTerminated(m.worker()));
      ctx.getLog().info("worker on {} with {} lane(s) joined", m.node(), m.lanes());
    }
    w.node = m.node();
    w.lanes = m.lanes();
    long now = System.nanoTime();
    if (epoch.equals(m.epoch())) {
      // Batches up to lastSeq have arrived (or were lost: what they carried is not in `holding`).
      while (!w.unacked.isEmpty() && w.unacked.peekFirst().seq() <= m.lastSeq()) w.unacked.removeFirst();
    }
    // A batch unanswered for too long was lost on the way; if it turns up later, the run only executes twice.
    w.unacked.removeIf(b -> now - b.sentAtNanos() > assignmentTimeoutNanos);
    Set<HeldRun> inTransit = new HashSet<>();
    for (Batch b : w.unacked) inTransit.addAll(b.runs());
    Set<HeldRun> held = new HashSet<>(m.holding());

    // Adopt what the worker holds and nobody else does (after a coordinator restart, this avoids running it twice).
    for (HeldRun h : m.holding()) {
      CampaignState.Campaign c = state.campaigns.get(h.campaignId());
      if (c == null || !c.needs(h.key()) || assigned.containsKey(h) || unjournaled.containsKey(h)) continue;
      TreeSet<RunKey> p = pending.get(h.campaignId());
      if (p != null) p.remove(h.key());
      assigned.put(h, w.ref);
      w.assigned.add(h);
    }
    // Release what it should hold but does not: that run was lost, it goes back to pending.
    for (Iterator<HeldRun> it = w.assigned.iterator(); it.hasNext(); ) {
      HeldRun h = it.next();
      if (held.contains(h) || inTransit.contains(h)) continue;
      it.remove();
      if (w.ref.equals(assigned.get(h))) assigned.remove(h);
      release(state, h);
    }
    w.demand = Math.max(0, m.free() - inTransit.size());
    assignWork(state);
    return Effect().none();
  }

  /**
   * Whether {@code ref} lives on a node that is Up (or WeaklyUp) in this cluster; with {@code leaving}, a node that
   * is leaving gracefully (Leaving, Exiting: SIGTERM) counts too, so the runs it finishes on its way out are kept.
   */
  private boolean isMember(ActorRef<?> ref, boolean leaving) {
    org.apache.pekko.actor.Address address = ref.path().address();
    if (!address.hasGlobalScope()) return true; // a worker of this node
    for (org.apache.pekko.cluster.Member member : Cluster.get(ctx.getSystem()).state().getMembers()) {
      if (member.address().equals(address)) {
        org.apache.pekko.cluster.MemberStatus s = member.status();
        return s == org.apache.pekko.cluster.MemberStatus.up() || s == org.apache.pekko.cluster.MemberStatus.weaklyUp()
            || leaving && (s == org.apache.pekko.cluster.MemberStatus.leaving()
                || s == org.apache.pekko.cluster.MemberStatus.exiting());
      }
    }
    return false;
  }

  private Effect<Event, CampaignState> onWorkerTerminated(CampaignState state, WorkerTerminated m) {
    Worker w = workers.remove(m.worker());
    if (w == null) return Effect().none();
    int back = 0;
    for (HeldRun h : w.assigned) {
      if (!w.ref.equals(assigned.get(h))) continue;
      assigned.remove(h);
      if (release(state, h)) back++;
    }
    ctx.getLog().warn("worker on {} is gone; {} run(s) go back to pending", w.node, back);
    assignWork(state);
    return Effect().none();
  }

  /** Puts a run back in its campaign's pending set if it still needs a result; true if it did. */
  private boolean release(CampaignState state, HeldRun h) {
    CampaignState.Campaign c = state.campaigns.get(h.campaignId());
    if (c == null || !c.needs(h.key()) || assigned.containsKey(h) || unjournaled.containsKey(h)) return false;
    return pending.computeIfAbsent(c.id, id -> new TreeSet<>()).add(h.key());
  }

  /** Gives each worker as many pending runs as it asked for: campaigns in the order they came, seeds in order. */
  private void assignWork(CampaignState state) {
    for (Worker w : workers.values()) {
      if (w.demand <= 0 || !isMember(w.ref, false)) continue; // nothing new for a node on its way out
      List<RunRequest> batch = new ArrayList<>();
      for (Map.Entry<String, TreeSet<RunKey>> e : pending.entrySet()) {
        CampaignState.Campaign c = state.campaigns.get(e.getKey());
        while (batch.size() < w.demand && !e.getValue().isEmpty()) {
          RunKey k = e.getValue().pollFirst();
          if (c != null && c.needs(k)) batch.add(c.request(k));
        }
        if (batch.size() >= w.demand) break;
      }
      if (batch.isEmpty()) return;
      List<HeldRun> runs = new ArrayList<>();
      for (RunRequest r : batch) {
        runs.add(r.held());
        assigned.put(r.held(), w.ref);
        w.assigned.add(r.held());
      }
      w.sentSeq++;
      w.unacked.addLast(new Batch(w.sentSeq, runs, System.nanoTime()));
      w.demand -= batch.size();
      w.ref.tell(new RunWorker.WorkAssigned(epoch, w.sentSeq, batch));
    }
  }

  /**
   * A page of results from index {@code from} in recording order. Asking from {@code from} also says that the client
   * has written every result before it: those are forgotten ({@link ResultsWritten}), so memory holds only results no
   * client has written yet. A page never starts before what is kept.
   */
  private Effect<Event, CampaignState> onGetResults(CampaignState state, GetResults m) {
    CampaignState.Campaign c = state.campaigns.get(m.campaignId());
    if (c == null) {
      m.replyTo().tell(new ResultPage(m.campaignId(), false, m.from(), List.of(), 0, 0, false));
      return Effect().none();
    }
    long upTo = Math.min(Math.max(0, m.from()), c.recordedUpTo());
    if (upTo > c.written) {
      return Effect().persist(new ResultsWritten(c.id, upTo)).thenRun(s -> m.replyTo().tell(page(c, m)));
    }
    m.replyTo().tell(page(c, m));
    return Effect().none();
  }

  private static ResultPage page(CampaignState.Campaign c, GetResults m) {
    long from = Math.min(Math.max(c.written, m.from()), c.recordedUpTo());
    int start = (int) (from - c.written);
    int to = (int) Math.min(c.unwritten.size(), (long) start + Math.max(1, m.max()));
    // A page must fit in one remoting frame: cut it by size too (at least one result).
    long bytes = 0;
    for (int i = start; i < to; i++) {
      bytes += ClusterCodecs.record(c.unwritten.get(i).record()).getSerializedSize();
      if (bytes > PAGE_BYTES && i > start) {
        to = i;
        break;
      }
    }
    return new ResultPage(c.id, true, from, List.copyOf(c.unwritten.subList(start, to)), c.done(), c.planned.size(),
        c.finished());
  }

  private CampaignProgress progress(CampaignState.Campaign c) {
    Map<String, Long> doneByNode = new TreeMap<>(c.doneByNode);
    Map<String, Long> runningByNode = new TreeMap<>();
    for (Map.Entry<HeldRun, ActorRef<RunWorker.Command>> e : assigned.entrySet()) {
      if (!e.getKey().campaignId().equals(c.id)) continue;
      Worker w = workers.get(e.getValue());
      runningByNode.merge(w == null ? "?" : w.node, 1L, Long::sum);
    }
    return new CampaignProgress(c.id, true, c.scenarioFile, c.planned.size(), c.done(), c.finished(),
        doneByNode, runningByNode, duplicates.getOrDefault(c.id, 0L), "", c.cancelled);
  }
}
