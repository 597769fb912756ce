package dev.devemu.sim.domain;

import dev.devemu.sim.LinkHook;
import dev.devemu.sim.SchedulingStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.SimLanes;
import dev.devemu.sim.SimRun;
import dev.devemu.sim.VirtualClock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.dispatch.sysmsg.Watch;

/**
 * Time domains on several nodes (docs/domains.md, "Nodes"): the two sides of a {@link DomainRun} whose domains
 * do not all run in one JVM.
 *
 * <p>On the guest's node, the run is the ordinary {@link DomainRun} loop, with every domain that another node
 * hosts stood in for by its {@link RemoteDomains}: per round, each node gets the horizons and the crossings for its
 * domains (LinkFrames) before the local windows run, and its answer (next events, the crossings its domains sent,
 * their deliveries) is taken in before the exchange. The rounds, the canonical order and the trace merge are the
 * same code as in one JVM, so the trace is the same.
 *
 * <p>A node that hosts device domains ({@link Hosting}) builds the whole testbed as the guest's node does — the
 * same root, the same actors at the same paths below it, the same seeds — but runs the guest only for its boot
 * (the root's construction, two deliveries) and then only its own domains' windows. The guest's actors there stand
 * in for the real ones: what a hosted domain sends them crosses a link like any other crossing and travels to the
 * guest's node. The start and death watch of the device actors the root spawns ({@link #mirrored}) are the only
 * crossings that both sides make themselves: the boot repeats them on the device's node, and the guest's node
 * keeps only their place in the order.
 */
public final class DomainNodes {
  private final DomainRun run;
  private final List<RemoteDomains> remotes;
  private final Map<RemoteDomains, List<byte[]>> pending = new IdentityHashMap<>();
  /** Nodes that went silent: their domains are lost, nothing more is sent to them or asked of them. */
  private final Set<RemoteDomains> lost = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

  DomainNodes(DomainRun run, List<RemoteDomains> remotes) {
    this.run = run;
    this.remotes = List.copyOf(remotes);
    for (RemoteDomains r : remotes) pending.put(r, new ArrayList<>());
  }

  /** The crossings the receiving node repeats itself when it builds the testbed. */
  static boolean mirrored(Object what) {
    return LinkHook.START.equals(what) || what instanceof Watch;
  }

  // ---- the guest's node ----

  void start(List<DomainRun.Part> parts) {
    for (RemoteDomains r : remotes) {
      for (DomainRun.Part p : parts) {
        if (r.hosted().contains(p.name)) {
          if (p.index == 0) throw new IllegalArgumentException("the guest runs on the node that takes the run");
          if (p.remote != null) throw new IllegalArgumentException("domain " + p.name + " placed on two nodes");
          p.remote = r;
        }
      }
    }
    for (RemoteDomains r : remotes) {
      long[] next = r.start();
      for (DomainRun.Part p : parts) {
        if (p.remote == r) setNext(p, next, parts.size());
      }
    }
  }

  /**
   * A node's {@link Hosting#next}: next events by plan index, then (when it sends 2n values) the earliest moment
   * each may send; a node that sends only the first half gives its next events as that bound (smaller: safe).
   */
  private static void setNext(DomainRun.Part p, long[] next, int n) {
    p.remoteNext = next[p.index];
    p.remoteSend = next.length >= 2 * n ? next[n + p.index] : next[p.index];
  }

  List<byte[]> pending(RemoteDomains r) {
    return pending.get(r);
  }

  void send(long round, long[] horizons) {
    for (RemoteDomains r : remotes) {
      List<byte[]> frames = pending.get(r);
      if (!lost.contains(r)) r.send(round, horizons, List.copyOf(frames));
      frames.clear();
    }
  }

  /** Each node's answer: next events, its domains' crossings into their senders' outboxes, their deliveries. */
  void receive(long round, List<DomainRun.Part> parts, LinkWire wire) {
    for (RemoteDomains r : remotes) {
      if (lost.contains(r)) continue;
      RemoteDomains.RoundResult res;
      try {
        res = r.receive(round);
      } catch (RemoteDomains.DomainNodeLost e) {
        if (!e.silent()) throw e;
        // A silent node loses its domains at this round: the barrier that ends it cuts them (whatever the node did
        // in this round is not heard of, as in a one-JVM replay that skips their window), and the guest sees their
        // devices surprise-removed. A function of the round only, so the recorded loss replays on one JVM.
        lost.add(r);
        for (DomainRun.Part p : parts) {
          if (p.remote == r) {
            // From now on the domain is this node's copy of it, as a lost domain is in one JVM: its actors here
            // (stand-ins that never ran) take part only in Pekko's stop protocol, unrecorded and without choices,
            // so that the testbed can stop; everything else to or from it is dropped (DomainRun.cross, exchange).
            p.remote = null;
            p.remoteNext = Long.MAX_VALUE;
            p.remoteSend = Long.MAX_VALUE;
            run.loseDomain(p.name, e.getMessage());
          }
        }
        continue;
      }
      for (DomainRun.Part p : parts) {
        if (p.remote == r) setNext(p, res.next(), parts.size());
      }
      for (byte[] frame : res.frames()) {
        LinkWire.Header h = wire.header(frame);
        if (h == null || h.from() >= parts.size() || h.to() >= parts.size() || parts.get(h.from()).remote != r) {
          if (h != null) wire.drop("a link frame from a domain the node does not host: " + h.label());
          continue;
        }
        DomainRun.Part from = parts.get(h.from());
        if (from.lost && !DomainLosses.keptWhenLost(h.label())) continue; // a lost domain says nothing (as in cross)
        // the message itself too, so that an answer to a request of this node's domains is seen as one
        from.outbox.add(new DomainRun.Crossing(h.deliverAt(), h.from(), h.sequence(), parts.get(h.to()),
            () -> wire.deliver(frame), h.label(), wire.message(frame), frame));
      }
      for (RemoteDomains.TraceEntry e : res.trace()) {
        if (e.domain() >= parts.size() || parts.get(e.domain()).remote != r) continue;
        WindowBuffer b = parts.get(e.domain()).buffer;
        if (b == null) continue;
        b.record(e.step(), e.timeNanos(), e.actor(), e.message(), e.sender());
        if (e.note() != null) b.note(e.step(), e.note());
      }
    }
  }

  /** A start or death watch to another node's domain: only its place in the order (and the receiver's next). */
  void mirror(DomainRun.Part from, DomainRun.Part to, long at, long sequence, Runnable deliver, Object what) {
    if (hosting != null) {
      hosting.mirror(from, to, at, sequence, deliver, what);
      return;
    }
    from.outbox.add(new DomainRun.Crossing(at, from.index, sequence, to, deliver, DomainRun.label(from, to, what),
        what, null));
    from.crossings++;
  }

  /** Every crossing this node sends, before it leaves: see {@link Hosting#sent}. */
  void sent(DomainRun.Part to, Runnable deliver, Object what) {
    if (hosting != null) hosting.sent(to, deliver, what);
  }

  List<long[]> end() {
    List<long[]> out = new ArrayList<>();
    for (RemoteDomains r : remotes) {
      if (!lost.contains(r)) out.add(r.end());
    }
    return out;
  }

  // ---- a node that hosts device domains ----

  private Hosting hosting;

  /**
   * Builds this node's part of a run: the whole testbed, the guest only for its boot.
   *
   * @param s the run's settings as on the guest's node (its strategy is not used here)
   */
  public static <T> Hosting host(SimHost host, int hostLane, DomainPlan plan, DomainRun.Settings s, Set<String> hosted,
      Function<SimRun, Behavior<T>> root) {
    DomainRun.Settings boot = new DomainRun.Settings(s.seed(), new BootOnly(), s.trace(), s.lookaheadNanos(),
        s.fairnessNanos(), s.maxChoices(), 1);
    DomainRun dr = new DomainRun(plan, hostLane, boot);
    DomainNodes nodes = new DomainNodes(dr, List.of());
    dr.nodes = nodes;
    Hosting h = new Hosting(dr, hosted);
    nodes.hosting = h;
    h.start(host, hostLane, root);
    return h;
  }

  /** The guest's strategy on a node that hosts devices: the two deliveries of the boot, then it stops the guest. */
  static final class BootOnly implements SchedulingStrategy {
    /** The boot actor spawning the root, and the root's construction (the testbed's actors). */
    private static final int BOOT_DELIVERIES = 2;
    private int chosen;

    static final class Done extends RuntimeException {
      Done() {
        super("boot done", null, false, false);
      }
    }

    @Override
    public int choose(ChoicePoint point) {
      if (chosen++ == BOOT_DELIVERIES) throw new Done();
      if (point.runnableCount() != 1) {
        throw new IllegalStateException("the boot of a testbed on a node hosting devices expected one runnable "
            + "actor, found " + point.runnableCount());
      }
      return 0;
    }

    @Override
    public String name() {
      return "boot-only";
    }
  }

  /** This node's part of a run whose guest runs elsewhere: one {@link #round} per round of the guest's node. */
  public static final class Hosting {
    private final DomainRun run;
    private final Set<String> hosted;
    private final List<DomainRun.Crossing> mirrored = new ArrayList<>();
    private SimHost.Launch launch;
    private boolean ended;

    Hosting(DomainRun run, Set<String> hosted) {
      this.run = run;
      this.hosted = Set.copyOf(hosted);
    }

    private <T> void start(SimHost host, int hostLane, Function<SimRun, Behavior<T>> root) {
      for (String name : hosted) {
        if (run.parts.stream().noneMatch(p -> p.name.equals(name) && p.index != 0)) {
          throw new IllegalArgumentException("no device domain " + name + " in this scenario");
        }
      }
      for (DomainRun.Part p : run.parts) {
        p.lane = SimLanes.domainLane(host.system(), hostLane, p.index);
        p.hostedHere = hosted.contains(p.name);
      }
      DomainRun.Part guest = run.parts.get(0);
      launch = host.launch(hostLane, guest.run, root);
      run.wire = new LinkWire(host.system(), launch.rootPath());
      for (DomainRun.Part p : run.parts) {
        p.lane.beginDomain(p.run, launch.bootPath(), launch.rootPath(), p.index == 0 ? launch.boot() : null, run);
      }
      try {
        guest.lane.runWindow(Long.MAX_VALUE);
        throw new IllegalStateException("the testbed's boot ended without building it");
      } catch (BootOnly.Done done) {
        // the root is built: every actor exists at its path; the guest runs no further here
      } catch (RuntimeException | Error e) {
        abort();
        throw e;
      }
    }

    /** Deaths of hosted actors, told to this node's copy of their watcher only when it is torn down. */
    private final List<Runnable> atTeardown = new ArrayList<>();

    /**
     * A hosted actor that stops tells its watcher (the root) on the guest's node; this node's copy of the root
     * must hear it too, or it would wait for that child forever when this node's testbed is torn down.
     */
    void sent(DomainRun.Part to, Runnable deliver, Object what) {
      if (!to.hostedHere && what instanceof org.apache.pekko.dispatch.sysmsg.DeathWatchNotification) {
        atTeardown.add(deliver);
      }
    }

    void mirror(DomainRun.Part from, DomainRun.Part to, long at, long sequence, Runnable deliver, Object what) {
      if (!to.hostedHere) return;
      mirrored.add(new DomainRun.Crossing(at, from.index, sequence, to, deliver, DomainRun.label(from, to, what)));
    }

    /**
     * Next events by plan index (the hosted domains', MAX for the others), then the earliest moment each may send
     * ({@code SimLane.nextSendNanos}: a device model's local timer bounds nobody): 2n values, so that the guest's
     * node computes the horizons a one-JVM run computes.
     */
    public long[] next() {
      int n = run.parts.size();
      long[] next = new long[2 * n];
      for (DomainRun.Part p : run.parts) {
        next[p.index] = p.hostedHere ? p.lane.nextEventNanos() : Long.MAX_VALUE;
        next[n + p.index] = p.hostedHere ? p.lane.nextSendNanos() : Long.MAX_VALUE;
      }
      return next;
    }

    public RemoteDomains.RoundResult round(long round, long[] horizons, List<byte[]> frames) {
      try {
        List<DomainRun.Crossing> in = new ArrayList<>();
        for (byte[] frame : frames) {
          LinkWire.Header h = run.wire.header(frame);
          if (h == null) continue;
          if (h.to() >= run.parts.size() || !run.parts.get(h.to()).hostedHere) {
            run.wire.drop("a link frame for a domain this node does not host: " + h.label());
            continue;
          }
          LinkWire w = run.wire;
          in.add(new DomainRun.Crossing(h.deliverAt(), h.from(), h.sequence(), run.parts.get(h.to()),
              () -> w.deliver(frame), h.label(), null, frame));
        }
        // the boot's starts and watches belong to the first exchange, as on the guest's node
        if (round >= 2 && !mirrored.isEmpty()) {
          in.addAll(mirrored);
          mirrored.clear();
        }
        in.sort(DomainRun.CANONICAL);
        for (DomainRun.Crossing c : in) {
          VirtualClock clock = c.to().run.clock();
          if (c.deliverAt() < clock.now()) {
            throw new IllegalStateException("link " + c.label() + " due at " + c.deliverAt() + " ns, before "
                + c.to().name + "'s time " + clock.now() + " ns");
          }
          clock.schedule(c.deliverAt() - clock.now(), c.label(), c.deliver());
        }
        for (DomainRun.Part p : run.parts) {
          if (p.hostedHere) p.lane.runWindow(horizons[p.index]);
        }
        List<byte[]> out = new ArrayList<>();
        List<RemoteDomains.TraceEntry> trace = new ArrayList<>();
        for (DomainRun.Part p : run.parts) {
          if (!p.hostedHere) continue;
          for (DomainRun.Crossing c : p.outbox) out.add(c.frame());
          p.outbox.clear();
          if (p.buffer != null) p.buffer.drainTo(p.index, trace);
        }
        return new RemoteDomains.RoundResult(next(), out, trace);
      } catch (RuntimeException | Error e) {
        abort();
        throw e;
      }
    }

    /** Ends this node's part: {choices, virtual nanoseconds, crossings sent} of its domains; stops its testbed. */
    public long[] end() {
      long choices = 0;
      long now = 0;
      long crossings = 0;
      for (DomainRun.Part p : run.parts) {
        if (!p.hostedHere) continue;
        choices += p.run.choices();
        now = Math.max(now, p.run.clock().now());
        crossings += p.crossings;
      }
      abort();
      return new long[] {choices, now, crossings};
    }

    /** Frames dropped on arrival here. */
    public long dropped() {
      return run.wire == null ? 0 : run.wire.dropped();
    }

    /** Stops this node's copy of the testbed (every lane drained on the calling thread). */
    public void abort() {
      if (ended) return;
      ended = true;
      run.teardown(launch, atTeardown);
    }
  }
}
