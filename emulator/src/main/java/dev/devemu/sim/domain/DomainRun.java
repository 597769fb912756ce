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
   * What a domain run cost: choices over all domains, windows, link crossings, foreign enqueues, and link frames
   * dropped on arrival (only when links carry bytes: an undecodable frame is logged and dropped, the run goes on).
   */
  public record Stats(long choices, long virtualNanos, long windows, long crossings, long foreignEnqueues,
      long droppedFrames) {
    public Stats(long choices, long virtualNanos, long windows, long crossings, long foreignEnqueues) {
      this(choices, virtualNanos, windows, crossings, foreignEnqueues, 0);
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
    /** Nodes: the node that hosts this domain when it is not this JVM (on the guest's node), else null. */
    RemoteDomains remote;
    /** Nodes: its next event, as its node last said, lowered by the crossings sent to it since. */
    long remoteNext = Long.MAX_VALUE;
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
   * A message on a link: delivered on the receiver's lane at {@code deliverAt}. With nodes, {@code frame} is its
   * LinkFrame (null for a crossing the receiving node repeats itself: {@link #mirrored}).
   */
  record Crossing(long deliverAt, int from, long sequence, Part to, Runnable deliver, String label, byte[] frame) {
    Crossing(long deliverAt, int from, long sequence, Part to, Runnable deliver, String label) {
      this(deliverAt, from, sequence, to, deliver, label, null);
    }
  }

  static final Comparator<Crossing> CANONICAL = Comparator.comparingLong(Crossing::deliverAt)
      .thenComparingInt(Crossing::from).thenComparingLong(Crossing::sequence);

  final List<Part> parts = new ArrayList<>();
  private final TraceSink trace;
  private long windows;
  private long globalStep;

  DomainRun(DomainPlan plan, int hostLane, Settings s) {
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
    return run(host, hostLane, plan, s, root, List.of());
  }

  /**
   * Like {@link #run(SimHost, int, DomainPlan, Settings, Function)}, with some domains on other nodes: this node
   * runs the guest (and every domain no remote hosts) and drives the rounds (docs/domains.md, "Nodes").
   */
  public static <T> Stats run(SimHost host, int hostLane, DomainPlan plan, Settings s,
      Function<SimRun, Behavior<T>> root, List<RemoteDomains> remotes) {
    DomainRun dr = new DomainRun(plan, hostLane, s);
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
    try {
      if (nodes != null) nodes.start(parts);
      while (true) {
        long earliest = Long.MAX_VALUE;
        for (Part p : parts) {
          next[p.index] = p.remote != null ? p.remoteNext : p.lane.nextEventNanos();
          earliest = Math.min(earliest, next[p.index]);
        }
        if (earliest == Long.MAX_VALUE) break;
        // Each domain d may run up to its horizon: the earliest moment a message sent from now on could reach it.
        // Nothing is in flight (the last barrier made every link message a timer of its receiver, which next[]
        // includes), so that is another domain e acting at its next event, next[e] + lat(e,d), or e answering
        // something d itself sends at its next event, next[d] + 2 lat(d,e). (Longer chains take longer: the
        // latencies of a star through the guest obey the triangle inequality.) Every message sent in this round
        // then arrives at or after its receiver's horizon, and every later one too.
        long minHorizon = Long.MAX_VALUE;
        for (Part d : parts) {
          long h = Long.MAX_VALUE;
          for (Part e : parts) {
            if (e == d) continue;
            long lat = e.latency + d.latency;
            if (next[e.index] != Long.MAX_VALUE) h = Math.min(h, saturatedAdd(next[e.index], lat));
            if (next[d.index] != Long.MAX_VALUE) h = Math.min(h, saturatedAdd(next[d.index], 2 * lat));
          }
          horizon[d.index] = h;
          minHorizon = Math.min(minHorizon, h);
        }
        windows++;
        if (nodes != null) nodes.send(windows, horizon);
        if (workers == null) {
          for (Part p : parts) {
            if (p.remote == null) p.lane.runWindow(horizon[p.index]);
          }
        } else {
          workers.runWindow(horizon);
        }
        if (nodes != null) nodes.receive(windows, parts, wire);
        exchange(horizon);
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
    long choices = 0;
    long crossings = 0;
    long foreign = 0;
    long now = 0;
    for (Part p : parts) {
      crossings += p.crossings;
      SimLane.RunStats st = p.lane.endDomain();
      if (p.remote != null) continue; // counted by its node
      choices += st.choices();
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
    return new Stats(choices, now, windows, crossings, foreign, wire == null ? 0 : wire.dropped());
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
      all.addAll(p.outbox);
      p.outbox.clear();
    }
    if (all == null) return;
    all.sort(CANONICAL);
    for (Crossing c : all) {
      if (c.to().remote != null) {
        // to a domain another node runs: its next round's request carries it (a mirrored one it repeats itself)
        if (c.deliverAt() < horizon[c.to().index]) {
          throw new IllegalStateException("link " + c.label() + " due at " + c.deliverAt() + " ns, before the "
              + "horizon its receiver already ran to, " + horizon[c.to().index] + " ns");
        }
        c.to().remoteNext = Math.min(c.to().remoteNext, c.deliverAt());
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
    if (nodes != null) nodes.sent(t, deliver, what);
    String label = label(f, t, what);
    byte[] frame = null;
    if (wire != null) {
      // as between two nodes: the receiving side gets bytes, and builds the message and finds the actor from them
      frame = wire.encode(at, f.index, f.sequence, t.index, receiver, what, label);
      byte[] bytes = frame;
      LinkWire w = wire;
      deliver = () -> w.deliver(bytes);
    }
    f.outbox.add(new Crossing(at, f.index, f.sequence++, t, deliver, label, frame));
    f.crossings++;
  }

  /** The label of a crossing's timer on the receiving side, as the trace shows it. */
  static String label(Part f, Part t, Object what) {
    String text = what instanceof String str ? str
        : what.getClass().getName().startsWith("org.apache.pekko.dispatch.sysmsg.")
            ? "<system " + what.getClass().getSimpleName() + ">" : Traceable.describe(what);
    return "link " + f.name + ">" + t.name + " " + text;
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
   * The threads of a parallel run: domain i runs on thread i mod N (the calling thread is thread 0 and runs the
   * guest). Which thread runs a domain changes nothing in the trace, only the speed. A window is handed out by bumping {@code generation}; workers report back through
   * {@code pending}. Spin briefly, then park: windows are short and frequent.
   */
  private final class Workers {
    /** How long a waiting thread spins before it parks: a round is often shorter than a park and unpark. */
    private static final int SPINS = 200;
    private final int count;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long generation;
    private volatile long[] ends;
    private volatile boolean stopped;
    private volatile Throwable failure;
    private final Thread main = Thread.currentThread();

    Workers(int count) {
      this.count = count;
      for (int k = 1; k < count; k++) {
        int me = k;
        Thread t = new Thread(() -> work(me), main.getName() + "-domains-" + k);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    private void work(int me) {
      long seen = 0;
      while (true) {
        int spins = 0;
        while (generation == seen && !stopped) {
          if (++spins < SPINS) Thread.onSpinWait();
          else LockSupport.park(this);
        }
        if (stopped) return;
        seen = generation;
        try {
          for (int i = me; i < parts.size(); i += count) parts.get(i).lane.runWindow(ends[i]);
        } catch (Throwable e) {
          failure = e;
        }
        if (pending.decrementAndGet() == 0) LockSupport.unpark(main);
      }
    }

    void runWindow(long[] horizons) {
      ends = horizons;
      pending.set(count - 1);
      generation = generation + 1;
      for (Thread t : threads) LockSupport.unpark(t);
      Throwable mine = null;
      try {
        for (int i = 0; i < parts.size(); i += count) parts.get(i).lane.runWindow(horizons[i]);
      } catch (Throwable e) {
        mine = e;
      }
      int spins = 0;
      while (pending.get() != 0) {
        if (++spins < SPINS) Thread.onSpinWait();
        else LockSupport.parkNanos(this, 100_000);
      }
      Throwable f = mine != null ? mine : failure;
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
