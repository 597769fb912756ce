package dev.devemu.sim.domain;

import dev.devemu.sim.DomainPlacement;
import dev.devemu.sim.LinkHook;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.ReplayStrategy;
import dev.devemu.sim.SchedulingStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.SimLane;
import dev.devemu.sim.SimLanes;
import dev.devemu.sim.SimRandom;
import dev.devemu.sim.SimRun;
import dev.devemu.sim.TraceSink;
import dev.devemu.sim.Traceable;
import dev.devemu.sim.VirtualClock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;

/**
 * Runs one testbed split into time domains: each domain on a lane of its own (its own dispatcher, virtual clock,
 * run list and scheduling stream), all of them advancing in conservative time windows.
 *
 * <p>The domains advance in rounds. In a round, each domain d runs on its own until it is idle and its next timer is
 * due at or after its horizon: the earliest moment anything sent from now on could reach it (another domain's next
 * event plus the link latency between them, or a reply to d's own next event: twice the latency). Whatever one
 * domain sends another is held by the link and delivered at send time + latency, which is at or after the
 * receiver's horizon: nothing a domain does in a round can affect another in the same round, so the domains may
 * run one after another on one thread or at once on N threads and do exactly the same. This is conservative
 * synchronisation with per-link lookahead, as SimBricks' links and Renode's time domains bound how far one side
 * runs ahead. Between rounds, the links' messages become timers of their receivers in a canonical order (delivery
 * time, sending domain, the sender's sequence), and every domain's deliveries before the smallest horizon are
 * merged into the run's trace by (virtual time, domain, the domain's own step): the trace never depends on which
 * thread ran what when.
 */
public final class DomainRun implements LinkHook, DomainPlacement {

  /**
   * How to run.
   *
   * @param strategy the guest's strategy; the other domains walk at random on their own streams, or replay their
   *     part of a recorded trace when this is a {@link ReplayStrategy}
   * @param threads how many threads run the domains' windows (1: one after another on the calling thread)
   */
  public record Settings(long seed, SchedulingStrategy strategy, TraceSink trace, long lookaheadNanos,
      long fairnessNanos, long maxChoices, int threads) {}

  /**
   * What a domain run cost: choices over all domains, windows (rounds), link crossings, foreign enqueues,
   * barriers: the rounds handed to other threads (0 on one thread; a round with at most one active domain runs on
   * the calling thread alone), and link frames dropped on arrival (only when links carry bytes: an undecodable
   * frame is logged and dropped, the run goes on).
   */
  public record Stats(long choices, long virtualNanos, long windows, long crossings, long foreignEnqueues,
      long barriers, long droppedFrames) {
    public Stats(long choices, long virtualNanos, long windows, long crossings, long foreignEnqueues) {
      this(choices, virtualNanos, windows, crossings, foreignEnqueues, 0, 0);
    }
  }

  /**
   * System property that makes every link carry its crossings as bytes ({@link LinkWire}): {@code wire}. Off,
   * a crossing hands the receiver's mailbox the message object itself.
   */
  public static final String LINKS_PROPERTY = "devemu.links";

  /** True if links carry their crossings as Protobuf frames ({@link #LINKS_PROPERTY} = wire). */
  public static boolean wireLinks() {
    return "wire".equals(System.getProperty(LINKS_PROPERTY));
  }

  /** Links as bytes: set for the run when {@link #wireLinks()} or with nodes; null otherwise. */
  LinkWire wire;
  /** Nodes: the run's domains on other nodes (guest's node), or this node's part of one; null in one JVM. */
  DomainNodes nodes;

  static final class Part {
    final String name;
    final int index;
    final long latency;
    final String dispatcher;
    SimLane lane;
    SimRun run;
    WindowBuffer buffer;
    final List<Crossing> outbox = new ArrayList<>();
    long sequence;
    long crossings;
    /** Lost (docs/domains.md, "A lost domain"): set at a barrier, read by every lane's thread in later rounds. */
    volatile boolean lost;
    long choicesAtLoss = -1;
    String lossWhy;
    DomainLosses.Mutable strategy;
    /** Requests this domain sent that may still be in flight ({@link DomainLosses.InFlight}). */
    final List<DomainLosses.InFlight> requests = new ArrayList<>();
    /** At the start of the current round: its trace buffer's size and its choices (a cut drops the round's). */
    int bufferMark;
    long choicesAtRoundStart;
    /** Known at the start of the round to be cut at its end (a planned loss): its window is not run at all. */
    volatile boolean skip;
    /** Nodes: the node that hosts this domain when it is not this JVM (on the guest's node), else null. */
    RemoteDomains remote;
    /** Nodes: its next event, as its node last said, lowered by the crossings sent to it since. */
    long remoteNext = Long.MAX_VALUE;
    /** Nodes: the earliest moment it may send (its next event that is not a local timer), lowered likewise. */
    long remoteSend = Long.MAX_VALUE;
    /** Nodes, on a node that hosts device domains: true for the domains this node runs. */
    boolean hostedHere = true;

    Part(String name, int index, long latency, String dispatcher) {
      this.name = name;
      this.index = index;
      this.latency = latency;
      this.dispatcher = dispatcher;
    }
  }

  /**
   * A message on a link: delivered on the receiver's lane at {@code deliverAt}; {@code what} is the message (on a
   * guest's node, decoded from the frame of a crossing another node sent; null if it does not decode). With nodes,
   * {@code frame} is its LinkFrame (null for a crossing the receiving node repeats itself: {@link #mirrored}).
   */
  record Crossing(long deliverAt, int from, long sequence, Part to, Runnable deliver, String label, Object what,
      byte[] frame) {
    Crossing(long deliverAt, int from, long sequence, Part to, Runnable deliver, String label) {
      this(deliverAt, from, sequence, to, deliver, label, null, null);
    }

    LinkRequest request() {
      return what instanceof LinkRequest r ? r : null;
    }
  }

  static final Comparator<Crossing> CANONICAL = Comparator.comparingLong(Crossing::deliverAt)
      .thenComparingInt(Crossing::from).thenComparingLong(Crossing::sequence);

  final List<Part> parts = new ArrayList<>();
  private final TraceSink trace;
  private long windows;
  /** The round running now (written between rounds, read by the lanes' threads in it). */
  private volatile long round;
  private long globalStep;
  private final DomainLosses losses;
  private volatile java.util.function.Consumer<String> lossHandler;

  DomainRun(DomainPlan plan, int hostLane, Settings s) {
    this(plan, hostLane, s, DomainLosses.none());
  }

  DomainRun(DomainPlan plan, int hostLane, Settings s, DomainLosses losses) {
    this.losses = losses;
    if (s.strategy() instanceof ReplayStrategy r) {
      List<DomainLosses.Planned> recorded = DomainLosses.fromChoices(r.choices());
      for (DomainLosses.Planned l : recorded) {
        if (!plan.names().contains(l.domain()) || DomainPlan.GUEST.equals(l.domain())) {
          throw new ReplayStrategy.TraceDivergedException(0, DomainLosses.recordActor(l.domain(), l.round()),
              "the time domains " + plan.names().subList(1, plan.names().size()));
        }
      }
      losses.plan(recorded);
    }
    if (plan.isEmpty()) throw new IllegalArgumentException("a domain run needs at least one domain besides the guest");
    if (plan.domains().size() > SimLanes.MAX_DOMAINS) {
      throw new IllegalArgumentException("at most " + SimLanes.MAX_DOMAINS + " domains besides the guest");
    }
    this.trace = s.trace();
    parts.add(new Part(DomainPlan.GUEST, 0, 0, SimLanes.domainDispatcherId(hostLane, 0)));
    int i = 1;
    for (DomainPlan.Domain d : plan.domains()) {
      parts.add(new Part(d.name(), i, d.linkLatencyNanos(), SimLanes.domainDispatcherId(hostLane, i)));
      i++;
    }
    boolean tracing = s.trace() != TraceSink.NONE;
    for (Part p : parts) {
      boolean guest = p.index == 0;
      SchedulingStrategy strategy = s.strategy() instanceof ReplayStrategy r ? r.forDomain(p.name, guest)
          : guest ? s.strategy() : new RandomWalkStrategy();
      if (!guest) strategy = p.strategy = new DomainLosses.Mutable(strategy);
      // The guest keeps the run's seed (its components fork their streams from it, as without domains); every
      // other domain schedules from a stream forked from the seed by its name.
      long seed = guest ? s.seed() : new SimRandom(s.seed()).fork("domain:" + p.name).seed();
      p.buffer = tracing ? new WindowBuffer(s.trace().detailed()) : null;
      SimRun.Builder b = SimRun.builder(seed)
          .strategy(strategy)
          .trace(tracing ? p.buffer : TraceSink.NONE)
          .lookaheadNanos(s.lookaheadNanos())
          .fairnessNanos(s.fairnessNanos())
          .maxChoices(s.maxChoices());
      if (guest) b.placement(this);
      p.run = b.build();
    }
  }

  /**
   * Runs a testbed whose root {@code root} builds, split as {@code plan} says, on lane {@code hostLane} of
   * {@code host} (and that lane's domain dispatchers), with {@code s.threads()} threads.
   *
   * @param guestRun receives the guest's run before anything starts (the testbed's root is built on it)
   */
  public static <T> Stats run(SimHost host, int hostLane, DomainPlan plan, Settings s,
      Function<SimRun, Behavior<T>> root) {
    return run(host, hostLane, plan, s, root, DomainLosses.none(), List.of());
  }

  /**
   * Like {@link #run(SimHost, int, DomainPlan, Settings, Function)}, with domains that may be lost: planned in
   * {@code losses}, asked for through it while the run goes on ({@link DomainLosses#lose}), or recorded in the
   * trace a replay strategy replays. {@code losses} lists afterwards every loss that took effect.
   */
  public static <T> Stats run(SimHost host, int hostLane, DomainPlan plan, Settings s,
      Function<SimRun, Behavior<T>> root, DomainLosses losses) {
    return run(host, hostLane, plan, s, root, losses, List.of());
  }

  /**
   * Like {@link #run(SimHost, int, DomainPlan, Settings, Function)}, with some domains on other nodes: this node
   * runs the guest (and every domain no remote hosts) and drives the rounds (docs/domains.md, "Nodes").
   */
  public static <T> Stats run(SimHost host, int hostLane, DomainPlan plan, Settings s,
      Function<SimRun, Behavior<T>> root, List<RemoteDomains> remotes) {
    return run(host, hostLane, plan, s, root, DomainLosses.none(), remotes);
  }

  /**
   * The general form: domains that may be lost ({@code losses}) and domains on other nodes ({@code remotes}); a
   * node that stops answering loses its domains at the round it did not answer (docs/domains.md, "A lost node").
   */
  public static <T> Stats run(SimHost host, int hostLane, DomainPlan plan, Settings s,
      Function<SimRun, Behavior<T>> root, DomainLosses losses, List<RemoteDomains> remotes) {
    DomainRun dr = new DomainRun(plan, hostLane, s, losses);
    if (!remotes.isEmpty()) {
      dr.nodes = new DomainNodes(dr, remotes);
      return dr.execute(host, hostLane, root, 1);
    }
    return dr.execute(host, hostLane, root, Math.max(1, Math.min(s.threads(), dr.parts.size())));
  }

  private <T> Stats execute(SimHost host, int hostLane, Function<SimRun, Behavior<T>> root, int threads) {
    for (Part p : parts) p.lane = SimLanes.domainLane(host.system(), hostLane, p.index);
    SimRun guest = parts.get(0).run;
    SimHost.Launch launch = host.launch(hostLane, guest, root);
    if (wireLinks() || nodes != null) wire = new LinkWire(host.system(), launch.rootPath());
    for (Part p : parts) {
      p.lane.beginDomain(p.run, launch.bootPath(), launch.rootPath(), p.index == 0 ? launch.boot() : null, this);
    }
    Workers workers = threads > 1 ? new Workers(threads) : null;
    int n = parts.size();
    long[] next = new long[n];
    long[] horizon = new long[n];
    long boundary = 0; // the smallest horizon of the last round: everything before it is in the trace
    long[] send = new long[n];
    try {
      if (nodes != null) nodes.start(parts);
      while (true) {
        long earliest = Long.MAX_VALUE;
        for (Part p : parts) {
          // a remote domain's next event and earliest send as its node last said (lowered by what was sent to it
          // since): the same horizons as in one JVM, local timers included
          next[p.index] = p.remote != null ? p.remoteNext : p.lane.nextEventNanos();
          send[p.index] = p.remote != null ? p.remoteSend : p.lane.nextSendNanos();
          earliest = Math.min(earliest, next[p.index]);
        }
        if (earliest == Long.MAX_VALUE) break;
        long minHorizon = horizons(send, horizon);
        round = windows;
        windows++;
        // a loss planned at a virtual time T: no round runs past T while it is pending, so that one round ends
        // exactly at T and the loss cuts at its barrier (smaller horizons are always safe)
        long cap = losses.nextPlannedAt(boundary);
        if (cap != Long.MAX_VALUE) {
          for (int i = 0; i < n; i++) horizon[i] = Math.min(horizon[i], cap);
          minHorizon = Math.min(minHorizon, cap);
        }
        java.util.Set<String> planned = losses.plannedFor(round, minHorizon);
        for (Part p : parts) {
          p.bufferMark = p.buffer == null ? 0 : p.buffer.size();
          p.choicesAtRoundStart = p.run.choices();
          // a loss planned for this round: the domain's part of it is discarded anyway, so it is not run (a replay
          // has no recorded choices for it, and a node that died made none we heard of)
          p.skip = !p.lost && planned.contains(p.name);
        }
        if (nodes != null) nodes.send(windows, horizon);
        if (workers == null) {
          for (Part p : parts) if (!p.skip && p.remote == null) p.lane.runWindow(horizon[p.index]);
        } else {
          workers.runWindow(horizon, next);
        }
        if (nodes != null) nodes.receive(windows, parts, wire);
        List<Part> cut = cutDue(minHorizon);
        exchange(horizon);
        boundary = minHorizon;
        for (Part p : cut) notice(p, boundary);
        // every domain has done everything before its horizon, and will only ever record at or after it
        if (trace != TraceSink.NONE) merge(minHorizon);
        if (guest.isFinished() && parts.get(0).lane.nextEventNanos() == Long.MAX_VALUE) break;
      }
      if (trace != TraceSink.NONE) merge(Long.MAX_VALUE);
    } catch (RuntimeException | Error e) {
      if (workers != null) workers.stop();
      workers = null;
      teardown(launch);
      throw e;
    } finally {
      if (workers != null) workers.stop();
    }
    long barriers = workers != null ? workers.handedOut : 0;
    long choices = 0;
    long crossings = 0;
    long foreign = 0;
    long now = 0;
    for (Part p : parts) {
      crossings += p.crossings;
      SimLane.RunStats st = p.lane.endDomain();
      if (p.remote != null) continue; // counted by its node (a lost node's are not known)
      choices += p.choicesAtLoss >= 0 ? p.choicesAtLoss : st.choices(); // a lost domain's teardown is no choice
      foreign += st.foreignEnqueues();
      now = Math.max(now, st.virtualNanos());
    }
    if (nodes != null) {
      for (long[] st : nodes.end()) {
        choices += st[0];
        now = Math.max(now, st[1]);
        crossings += st[2];
      }
    }
    return new Stats(choices, now, windows, crossings, foreign, barriers, wire == null ? 0 : wire.dropped());
  }

  /**
   * Each domain d may run up to its horizon: the earliest moment a message sent from now on could reach it.
   * Nothing is in flight (the last barrier made every link message a timer of its receiver), so that is another
   * domain e sending at the earliest moment it can send, {@code send[e] + lat(e,d)}, or e answering something d
   * itself sends, {@code send[d] + 2 lat(d,e)}. (Longer chains take longer: the latencies of a star through the
   * guest obey the triangle inequality.) A domain can send at its next event unless that event is a local timer
   * (a device model's {@code scheduleLocal}: an ADC conversion, handled without a word to anyone), so
   * {@code send[e]} is its next event that is not a local timer ({@link SimLane#nextSendNanos}); a domain with
   * nothing but local timers, or nothing at all, bounds nobody. Every message sent in the round then arrives at or
   * after its receiver's horizon, and every later one too; {@link #exchange} checks it on every message.
   *
   * @return the smallest horizon
   */
  private long horizons(long[] send, long[] horizon) {
    long minHorizon = Long.MAX_VALUE;
    for (Part d : parts) {
      long h = Long.MAX_VALUE;
      for (Part e : parts) {
        if (e == d) continue;
        long lat = e.latency + d.latency;
        if (send[e.index] != Long.MAX_VALUE) h = Math.min(h, saturatedAdd(send[e.index], lat));
        if (send[d.index] != Long.MAX_VALUE) h = Math.min(h, saturatedAdd(send[d.index], 2 * lat));
      }
      horizon[d.index] = h;
      minHorizon = Math.min(minHorizon, h);
    }
    return minHorizon;
  }

  private static long saturatedAdd(long a, long b) {
    return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
  }

  /** Between two windows: the links deliver what they carry, as timers of the receivers, in canonical order. */
  private void exchange(long[] horizon) {
    List<Crossing> all = null;
    for (Part p : parts) {
      if (p.outbox.isEmpty()) continue;
      if (all == null) all = new ArrayList<>();
      for (Crossing c : p.outbox) {
        if (!c.to().requests.isEmpty()) answered(p, c);
        if (!c.to().lost || DomainLosses.keptWhenLost(c.label())) {
          all.add(c);
        } else if (c.request() != null && !p.lost) {
          // a request to a lost domain: the port of the dead link answers it, one round trip after it was sent
          // (PCIe: an unsupported request, all ones); anything else to a lost domain is gone
          all.add(new Crossing(c.deliverAt() + c.to().latency + p.latency, c.from(), c.sequence(), p,
              c.request()::answerUnreachable, "link " + c.to().name + ">" + p.name + " unreachable "
              + c.label().substring(c.label().indexOf(' ', 5) + 1), null, null));
          p.requests.removeIf(r -> r.to == c.to().index && r.sequence == c.sequence());
        }
      }
      p.outbox.clear();
    }
    if (all == null) return;
    all.sort(CANONICAL);
    for (Crossing c : all) {
      if (c.to().remote != null) {
        if (c.to().lost) continue; // its node went silent: nothing more travels to it
        // to a domain another node runs: its next round's request carries it (a mirrored one it repeats itself)
        if (c.deliverAt() < horizon[c.to().index]) {
          throw new IllegalStateException("link " + c.label() + " due at " + c.deliverAt() + " ns, before the "
              + "horizon its receiver already ran to, " + horizon[c.to().index] + " ns");
        }
        c.to().remoteNext = Math.min(c.to().remoteNext, c.deliverAt());
        c.to().remoteSend = Math.min(c.to().remoteSend, c.deliverAt()); // handling it may send at once
        if (c.frame() != null) nodes.pending(c.to().remote).add(c.frame());
        continue;
      }
      VirtualClock clock = c.to().run.clock();
      long end = horizon[c.to().index];
      if (c.deliverAt() < end || c.deliverAt() < clock.now()) {
        // cannot happen while every crossing takes at least its link's latency; say so loudly if it ever does
        throw new IllegalStateException("link " + c.label() + " due at " + c.deliverAt() + " ns, before the "
            + "horizon its receiver already ran to, " + end + " ns");
      }
      clock.schedule(c.deliverAt() - clock.now(), c.label(), c.deliver());
    }
  }

  /** {@code c}, from {@code p}, may answer a request its receiver sent {@code p}: that one is no longer waiting. */
  private static void answered(Part p, Crossing c) {
    List<DomainLosses.InFlight> waiting = c.to().requests;
    for (int i = 0; i < waiting.size(); i++) {
      DomainLosses.InFlight r = waiting.get(i);
      if (r.to == p.index && r.request.answeredBy(c.what())) {
        waiting.remove(i);
        return;
      }
    }
  }

  /**
   * Every domain's deliveries before {@code until}, into the run's trace by (time, domain, the domain's step);
   * later ones wait in their buffers for a later round.
   */
  private void merge(long until) {
    while (true) {
      Part best = null;
      long bestTime = until;
      for (Part p : parts) {
        WindowBuffer b = p.buffer;
        if (b.pending() && b.time(b.head()) < bestTime) {
          best = p;
          bestTime = b.time(b.head());
        }
      }
      if (best == null) break;
      WindowBuffer b = best.buffer;
      int i = b.head();
      b.advance();
      long step = globalStep++;
      String actor = best.index == 0 ? b.actor(i) : best.name + ReplayStrategy.DOMAIN_SEPARATOR + b.actor(i);
      trace.record(step, b.time(i), actor, b.message(i), b.globalSender(i));
      b.placed(i, step);
      if (b.note(i) != null) trace.note(step, b.note(i));
    }
    for (Part p : parts) p.buffer.compact();
  }

  @Override
  public void cross(SimLane from, SimLane to, Runnable deliver, Object what,
      org.apache.pekko.actor.ActorRef receiver) {
    Part f = partOf(from);
    Part t = partOf(to);
    long at = f.run.clock().now() + f.latency + t.latency;
    if (nodes != null && DomainNodes.mirrored(what) && (t.remote != null || !f.hostedHere)) {
      // the start and death watch of a device actor the root spawns: the device's node repeats them when it builds
      // the testbed (DomainNodes.Hosting), so they do not travel; their place in the sender's sequence stays
      nodes.mirror(f, t, at, f.sequence++, deliver, what);
      return;
    }
    if (!f.hostedHere) {
      f.sequence++; // a node hosting devices builds the guest's actors but runs them only for the boot
      return;
    }
    if (f.lost && !DomainLosses.pekkoInternal(what)) return; // a lost domain says nothing (what goes to one: exchange)
    if (nodes != null) nodes.sent(t, deliver, what);
    String label = label(f, t, what);
    if (what instanceof LinkRequest request) {
      f.requests.add(new DomainLosses.InFlight(f.run.clock().now(), at, f.index, f.sequence, t.index, request,
          label.substring(("link " + f.name + ">" + t.name + " ").length()), round));
    }
    byte[] frame = null;
    if (wire != null) {
      // as between two nodes: the receiving side gets bytes, and builds the message and finds the actor from them
      frame = wire.encode(at, f.index, f.sequence, t.index, receiver, what, label);
      byte[] bytes = frame;
      LinkWire w = wire;
      deliver = () -> w.deliver(bytes);
    }
    f.outbox.add(new Crossing(at, f.index, f.sequence++, t, deliver, label, what, frame));
    f.crossings++;
  }

  /** The label of a crossing's timer on the receiving side, as the trace shows it. */
  static String label(Part f, Part t, Object what) {
    String text = what instanceof String str ? str
        : what.getClass().getName().startsWith("org.apache.pekko.dispatch.sysmsg.")
            ? "<system " + what.getClass().getSimpleName() + ">" : Traceable.describe(what);
    return "link " + f.name + ">" + t.name + " " + text;
  }

  @Override
  public void onLoss(java.util.function.Consumer<String> handler) {
    lossHandler = handler;
  }

  /**
   * Declares {@code domain} lost, for the node layer: its part of the round now running (or, between rounds, of the
   * next) is discarded at the barrier that ends it ({@link DomainLosses#lose}). Any thread.
   */
  public void loseDomain(String domain, String why) {
    losses.lose(domain, why);
  }

  /**
   * At the barrier after round {@link #round}, before the links deliver: the domains lost in it are cut — their
   * part of this round is discarded as if they had not run it (what they sent, what they recorded) — and nothing
   * reaches them any more (docs/domains.md, "A lost domain").
   *
   * @param boundary the boundary this round ends at (its smallest horizon)
   */
  private List<Part> cutDue(long boundary) {
    List<Part> cut = List.of();
    for (String[] l : losses.due(round, boundary)) {
      Part p = part(l[0]);
      if (p.index == 0) throw new IllegalArgumentException("the guest's domain cannot be lost");
      if (p.lost) continue;
      p.lost = true;
      p.skip = false;
      p.lossWhy = l[1];
      p.choicesAtLoss = p.choicesAtRoundStart;
      p.strategy.mute();
      p.outbox.removeIf(c -> !DomainLosses.keptWhenLost(c.label()));
      if (p.buffer != null) {
        p.buffer.truncate(p.bufferMark);
        p.buffer.close();
      }
      if (cut.isEmpty()) cut = new ArrayList<>();
      cut.add(p);
    }
    return cut;
  }

  /**
   * After the barrier that cut {@code p}: its timers go, the requests sent to it before the cut round that it had
   * not answered by then end in their completion timeout, and the guest hears of the loss — the record, then the
   * surprise removal.
   *
   * @param boundary the boundary the next round starts at
   */
  private void notice(Part p, long boundary) {
    long cutRound = round;
    p.lane.discardTimers(DomainLosses::keptWhenLost);
    List<DomainLosses.InFlight> waiting = new ArrayList<>();
    for (Part q : parts) {
      for (DomainLosses.InFlight r : q.requests) {
        // sent before the cut round (those sent in it were answered as unreachable), unanswered before it
        if (r.to == p.index && r.round < cutRound) waiting.add(r);
      }
      q.requests.removeIf(r -> r.to == p.index);
    }
    waiting.sort(DomainLosses.IN_FLIGHT_ORDER);
    for (DomainLosses.InFlight r : waiting) {
      Part q = parts.get(r.from);
      if (q.lost) continue;
      long at = Math.max(saturatedAdd(r.sentAt, r.request.completionTimeoutNanos()), safeTime(q, boundary));
      VirtualClock clock = q.run.clock();
      clock.schedule(at - clock.now(), "link " + p.name + ">" + q.name + " completion timeout " + r.text,
          r.request::answerUnreachable);
    }
    Part guest = parts.get(0);
    long at = safeTime(guest, boundary);
    if (guest.buffer != null) {
      // what it says is a function of the round structure only (not of who declared the loss, nor why): a replay
      // that loses the domain at the same round writes the same record
      guest.buffer.recordMark(at, DomainLosses.recordActor(p.name, cutRound), "lose-domain " + p.name
          + " at round " + cutRound + ", boundary " + boundary + " ns");
    }
    VirtualClock clock = guest.run.clock();
    String name = p.name;
    clock.schedule(at - clock.now(), "lose-domain " + name, () -> {
      java.util.function.Consumer<String> h = lossHandler;
      if (h != null) h.accept(name);
    });
    losses.took(new DomainLosses.Loss(name, cutRound, boundary, at, p.lossWhy));
  }

  /**
   * The earliest virtual time at which domain {@code x} may act between rounds without reaching any domain that
   * has already run past the arrival: not before the boundary, nor its own clock, nor any live domain's clock
   * less the latency between them.
   */
  private long safeTime(Part x, long boundary) {
    long t = Math.max(boundary, x.run.clock().now());
    for (Part d : parts) {
      if (d == x || d.lost) continue;
      t = Math.max(t, d.run.clock().now() - (x.latency + d.latency));
    }
    return t;
  }

  private Part partOf(SimLane lane) {
    for (Part p : parts) {
      if (p.lane == lane) return p;
    }
    throw new IllegalStateException("lane " + lane.name() + " is not a domain of this run");
  }

  @Override
  public String dispatcher(String domain) {
    return part(domain).dispatcher;
  }

  @Override
  public VirtualClock clock(String domain) {
    return part(domain).run.clock();
  }

  private Part part(String domain) {
    for (Part p : parts) {
      if (p.name.equals(domain)) return p;
    }
    throw new IllegalArgumentException("no time domain " + domain);
  }

  /** After a failure: every lane leaves its domain, and this thread stops the testbed across all of them. */
  void teardown(SimHost.Launch launch) {
    teardown(launch, List.of());
  }

  /**
   * @param late run once the root is stopping and everything queued has run (nodes: DomainNodes.Hosting tells
   *     its copy of the root of deaths that went to the guest's node); then the lanes are drained again
   */
  void teardown(SimHost.Launch launch, List<Runnable> late) {
    for (Part p : parts) p.lane.detachForTeardown();
    launch.abort().run();
    drainAll();
    if (!late.isEmpty()) {
      for (Runnable r : late) r.run();
      drainAll();
    }
    for (Part p : parts) p.lane.release();
  }

  private void drainAll() {
    int ran;
    do {
      ran = 0;
      for (Part p : parts) ran += p.lane.drainQueued();
    } while (ran > 0);
  }

  /**
   * The threads of a parallel run. Which thread runs a domain's window changes nothing in the trace, only the
   * speed, so each round is placed anew. A domain is <em>active</em> in a round when its next event is before its
   * horizon (the others' windows return at once). A round with at most one active domain runs on the calling thread
   * with no hand-over at all (the guest handling an interrupt, one card answering an MMIO read). Otherwise the
   * calling thread publishes the round, runs the inactive domains' empty windows, and then every thread claims the
   * active domains one at a time until none is left: a worker that wakes late finds its share already done by the
   * calling thread instead of holding the round up. A waiting thread spins briefly, then yields the core for up to
   * {@link #WAIT_NANOS} (or until a yield shows the core is contended), then parks; it is unparked only if it
   * parked.
   */
  private final class Workers {
    /** Busy-wait spins before a waiting thread starts yielding (a hand-over often takes less). */
    private static final int SPINS = 100;
    /**
     * How long a waiting thread yields (lets another thread run, then looks again) before it parks: a wake-up from
     * park costs tens of microseconds on a virtual machine, longer than many rounds.
     */
    private static final long WAIT_NANOS = Long.getLong("devemu.domains.wait-nanos", 200_000L);
    /**
     * A yield that took longer than this means other processes want the core: then parking is better (a woken
     * thread is scheduled ahead of those that kept running; one that keeps yielding waits behind them).
     */
    private static final long CONTENDED_NANOS = 20_000L;

    /** One wait: spin, then yield until {@link #WAIT_NANOS} passed or the core turned out contended; then park. */
    private static final class Wait {
      private int spins;
      private long start;

      /** @return true to look again at once; false: park now */
      boolean keepSpinning() {
        if (++spins < SPINS) {
          Thread.onSpinWait();
          return true;
        }
        long t = System.nanoTime();
        if (start == 0) start = t;
        else if (t - start >= WAIT_NANOS) return false;
        Thread.yield();
        return System.nanoTime() - t < CONTENDED_NANOS;
      }
    }

    /** One parallel round: its active domains, claimed one at a time by whichever thread comes first. */
    private static final class Round {
      final int[] active;
      final long[] ends;
      final AtomicInteger claimed = new AtomicInteger();
      final AtomicInteger done = new AtomicInteger();
      volatile Throwable failure;

      Round(int[] active, long[] ends) {
        this.active = active;
        this.ends = ends;
      }
    }

    private final List<Thread> threads = new ArrayList<>();
    private volatile Round round;
    private volatile boolean stopped;
    private final Thread main = Thread.currentThread();
    private final AtomicInteger parkedWorkers = new AtomicInteger();
    private volatile boolean mainParked;
    /** Rounds handed to the worker threads (each a barrier); the others ran on the calling thread alone. */
    long handedOut;

    Workers(int count) {
      for (int k = 1; k < count; k++) {
        Thread t = new Thread(this::work, main.getName() + "-domains-" + k);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    private void work() {
      Round seen = null;
      while (true) {
        Wait wait = new Wait();
        while (round == seen && !stopped) {
          if (wait.keepSpinning()) continue;
          parkedWorkers.incrementAndGet();
          if (round == seen && !stopped) LockSupport.park(this);
          parkedWorkers.decrementAndGet();
        }
        if (stopped) return;
        seen = round;
        claim(seen);
      }
    }

    /** Runs the round's active domains not yet claimed by another thread, one at a time. */
    private void claim(Round r) {
      int k;
      while ((k = r.claimed.getAndIncrement()) < r.active.length) {
        int i = r.active[k];
        try {
          parts.get(i).lane.runWindow(r.ends[i]);
        } catch (Throwable e) {
          r.failure = e;
        }
        if (r.done.incrementAndGet() == r.active.length && Thread.currentThread() != main && mainParked) {
          LockSupport.unpark(main);
        }
      }
    }

    void runWindow(long[] horizons, long[] next) {
      int n = parts.size();
      int active = 0;
      for (int i = 0; i < n; i++) {
        if (!parts.get(i).skip && next[i] < horizons[i]) active++;
      }
      if (active < 2) {
        for (Part p : parts) if (!p.skip) p.lane.runWindow(horizons[p.index]);
        return;
      }
      handedOut++;
      int[] list = new int[active];
      int k = 0;
      for (int i = 0; i < n; i++) {
        if (!parts.get(i).skip && next[i] < horizons[i]) list[k++] = i;
      }
      Round r = new Round(list, horizons.clone());
      round = r;
      if (parkedWorkers.get() > 0) {
        for (Thread t : threads) LockSupport.unpark(t);
      }
      Throwable mine = null;
      try {
        for (int i = 0; i < n; i++) {
          if (!parts.get(i).skip && next[i] >= horizons[i]) parts.get(i).lane.runWindow(horizons[i]);
        }
      } catch (Throwable e) {
        mine = e;
      }
      claim(r);
      Wait wait = new Wait();
      while (r.done.get() != list.length) {
        if (wait.keepSpinning()) continue;
        mainParked = true;
        if (r.done.get() != list.length) LockSupport.parkNanos(this, 100_000);
        mainParked = false;
      }
      Throwable f = mine != null ? mine : r.failure;
      if (f instanceof RuntimeException re) throw re;
      if (f instanceof Error er) throw er;
      if (f != null) throw new IllegalStateException(f);
    }

    void stop() {
      stopped = true;
      for (Thread t : threads) LockSupport.unpark(t);
      for (Thread t : threads) {
        try {
          t.join(5000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Rounds (synchronisation windows) run so far (for figures: windows per simulated second). */
  public long windows() {
    return windows;
  }
}
