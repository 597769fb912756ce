package dev.devemu.sim.domain;

import dev.devemu.sim.ReplayStrategy;
import dev.devemu.sim.SchedulingStrategy;
import dev.devemu.sim.SimRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The time domains of a run that are lost: by a scenario's fault ({@code action = lose-domain}), by a node layer
 * that stopped hearing from the node running them ({@link #lose}, {@link BetweenRounds}), or by a trace that
 * recorded either (replay). docs/domains.md, "A lost domain", is the full story; in short:
 *
 * <p><b>The cut.</b> A domain is lost at the barrier after a round k of {@link DomainRun}, never within one, and
 * its part of round k is discarded, as if it had not run it: what it sent in k and what it recorded in k are
 * dropped (a node that dies during round k never delivers its round-k results). Round k is: for a scenario's loss
 * at virtual time T, the round that ends at T (a round ends at its smallest horizon — everything before it is
 * final — and while the loss is pending no round ends past T: horizons are capped at T, so one ends exactly
 * there, or the first that ends after T if T was already passed); for a loss asked for with {@link #lose}, the
 * round that ends at the next barrier; for a
 * {@link BetweenRounds} detector, the round whose barrier it is called at; for a recorded loss, the round its
 * record names. A loss known when round k begins (planned, recorded) does not run the domain's window of round k
 * at all: the result is the same.
 *
 * <p><b>After the cut</b> the domain runs nothing of the machine: its timers (device timers, link messages to it)
 * are dropped, everything sent to it is dropped — a request ({@link LinkRequest}) sent to it in round k or later is
 * answered by the requester's side of the link one round trip after it was sent, one sent earlier and not answered
 * before round k ends in its completion timeout — and nothing more comes from it. What it sent
 * before round k has reached its receivers at earlier barriers and is delivered. Pekko's own stop protocol still
 * reaches its actors, unrecorded, so that the testbed can stop. The guest hears of the loss at once (after the
 * barrier): a record in the trace, then the surprise removal of the domain's devices. All of this is a function of
 * the round structure only, the same on 1 lane, N lanes, or nodes.
 *
 * <p><b>The record</b> is a delivery of actor {@code @lost|<domain>@<k>}, a recorded choice like any other (traces
 * and reports keep choices), so a replay finds it ({@link #fromChoices}) and cuts the domain at the same round.
 */
public final class DomainLosses {
  /** The actor id of a loss record starts with this; no domain is named {@code @lost}. */
  public static final String RECORD_PREFIX = "@lost" + ReplayStrategy.DOMAIN_SEPARATOR;

  /**
   * A loss decided before the run starts.
   *
   * @param atNanos cut at the round that ends at this virtual time (a scenario's fault), or -1
   * @param round cut at this round (a recorded loss), or -1
   */
  public record Planned(String domain, long atNanos, long round, String why) {
    public static Planned at(String domain, long atNanos, String why) {
      return new Planned(domain, Math.max(0, atNanos), -1, why);
    }

    public static Planned atRound(String domain, long round, String why) {
      return new Planned(domain, -1, round, why);
    }

    /** Due in round {@code r}, which ends at boundary {@code end}. */
    boolean due(long r, long end) {
      return round >= 0 ? r >= round : end >= atNanos;
    }
  }

  /**
   * A loss that took effect.
   *
   * @param round the round it was cut at (its part of that round discarded)
   * @param boundaryNanos the boundary that round ended at (everything before it is final)
   * @param guestNanos when the guest heard of it: the surprise removal starts then
   */
  public record Loss(String domain, long round, long boundaryNanos, long guestNanos, String why) {}

  private final List<Planned> planned = new ArrayList<>();
  private final ConcurrentLinkedQueue<String[]> asked = new ConcurrentLinkedQueue<>();
  private final List<Loss> losses = java.util.Collections.synchronizedList(new ArrayList<>());

  public DomainLosses(List<Planned> planned) {
    this.planned.addAll(planned);
  }

  /** No loss planned (one may still be asked for with {@link #lose}). */
  public static DomainLosses none() {
    return new DomainLosses(List.of());
  }

  /**
   * Declares {@code domain} lost, for a node layer that has stopped hearing from the node that runs it: the domain
   * is cut at the next barrier, its part of the round that barrier ends discarded (called from a
   * {@link BetweenRounds} detector: at this barrier). Any thread. Losing the guest is not a surprise removal (the
   * run cannot go on): the caller ends the run instead.
   */
  public void lose(String domain, String why) {
    if (DomainPlan.GUEST.equals(domain)) {
      throw new IllegalArgumentException("the guest's domain cannot be lost: the run ends instead");
    }
    asked.add(new String[] {domain, why});
  }

  /**
   * Who decides at a barrier whether a domain is lost (a node layer's failure detector: did its results of this
   * round arrive?). Called by the run on its thread at the barrier after every round, before the links deliver;
   * what it declares lost with {@link #lose} is cut at that very round: its part of the round is discarded.
   */
  public interface BetweenRounds {
    /**
     * @param round the round that has just run
     * @param boundaryNanos the boundary it ended at (its smallest horizon: everything before it is final)
     */
    void atBarrier(long round, long boundaryNanos, DomainLosses losses);
  }

  private volatile BetweenRounds detector;

  /** Sets the {@link BetweenRounds} detector (null: none). */
  public void detector(BetweenRounds d) {
    detector = d;
  }

  /** Every loss that took effect so far, in order. */
  public List<Loss> losses() {
    synchronized (losses) {
      return List.copyOf(losses);
    }
  }

  /** The actor id of the trace record of {@code domain} lost at the start of round {@code round}. */
  public static String recordActor(String domain, long round) {
    return RECORD_PREFIX + domain + "@" + round;
  }

  /** The losses recorded among a trace's choices (actor ids), in order. */
  public static List<Planned> fromChoices(List<String> choices) {
    List<Planned> out = new ArrayList<>();
    for (String c : choices) {
      if (!c.startsWith(RECORD_PREFIX)) continue;
      int at = c.lastIndexOf('@');
      if (at <= RECORD_PREFIX.length()) continue;
      try {
        out.add(Planned.atRound(c.substring(RECORD_PREFIX.length(), at), Long.parseLong(c.substring(at + 1)),
            "recorded in the trace"));
      } catch (NumberFormatException notARecord) {
        // not one of ours: the replay will diverge on it and say so
      }
    }
    return out;
  }

  /** More losses planned (a scenario's, added by the testbed runner). */
  public void plan(List<Planned> more) {
    planned.addAll(more);
  }

  /**
   * The earliest virtual time of a pending loss planned at a time after {@code boundary}, or {@code Long.MAX_VALUE}:
   * the run lets no round end past it, so that a round ends exactly there.
   */
  long nextPlannedAt(long boundary) {
    long t = Long.MAX_VALUE;
    for (Planned p : planned) {
      if (p.round() < 0 && p.atNanos() > boundary) t = Math.min(t, p.atNanos());
    }
    return t;
  }

  /** The domains whose planned loss cuts them at the end of round {@code round}, which ends at {@code end}. */
  java.util.Set<String> plannedFor(long round, long end) {
    java.util.Set<String> out = null;
    for (Planned p : planned) {
      if (!p.due(round, end)) continue;
      if (out == null) out = new java.util.HashSet<>();
      out.add(p.domain());
    }
    return out == null ? java.util.Set.of() : out;
  }

  /**
   * The domains cut at the barrier after round {@code round}, which ended at {@code boundary} (name, why): the
   * detector is asked first, then planned losses, then those asked for with {@link #lose}.
   */
  List<String[]> due(long round, long boundary) {
    BetweenRounds d = detector;
    if (d != null) d.atBarrier(round, boundary, this);
    List<String[]> out = null;
    for (java.util.Iterator<Planned> it = planned.iterator(); it.hasNext(); ) {
      Planned p = it.next();
      if (!p.due(round, boundary)) continue;
      it.remove();
      if (out == null) out = new ArrayList<>();
      out.add(new String[] {p.domain(), p.why()});
    }
    String[] a;
    while ((a = asked.poll()) != null) {
      if (out == null) out = new ArrayList<>();
      out.add(a);
    }
    return out == null ? List.of() : out;
  }

  void took(Loss loss) {
    losses.add(loss);
  }

  /** Timers a lost domain keeps: Pekko's system messages and actor starts, so that stopping the testbed works. */
  static boolean keptWhenLost(String label) {
    return label.contains(" <system ") || label.endsWith(" <start>");
  }

  /** Whether a message crossing a link is Pekko's own (stop, watch) or an actor's start, not the hardware's. */
  static boolean pekkoInternal(Object what) {
    return what instanceof String || what.getClass().getName().startsWith("org.apache.pekko.dispatch.sysmsg.");
  }

  /**
   * A request ({@link LinkRequest}) on its way to another domain, kept by its sender's part until delivered, so
   * that a loss of the receiver can answer it.
   */
  static final class InFlight {
    final long sentAt;
    final long deliverAt;
    final int from;
    final long sequence;
    final int to;
    final LinkRequest request;
    final String text;
    /** The round it was sent in. */
    final long round;

    InFlight(long sentAt, long deliverAt, int from, long sequence, int to, LinkRequest request, String text,
        long round) {
      this.sentAt = sentAt;
      this.deliverAt = deliverAt;
      this.from = from;
      this.sequence = sequence;
      this.to = to;
      this.request = request;
      this.text = text;
      this.round = round;
    }
  }

  /** Canonical order of requests answered at a loss: as the links would have delivered them. */
  static final Comparator<InFlight> IN_FLIGHT_ORDER = Comparator.<InFlight>comparingLong(f -> f.deliverAt)
      .thenComparingInt(f -> f.from).thenComparingLong(f -> f.sequence);

  /**
   * A non-guest domain's strategy: its own until the domain is lost; then the first runnable, or the timer (only
   * Pekko's stop protocol runs there, unrecorded, so a replay has no choices for it).
   */
  static final class Mutable implements SchedulingStrategy {
    private final SchedulingStrategy own;
    private volatile boolean muted;

    Mutable(SchedulingStrategy own) {
      this.own = own;
    }

    void mute() {
      muted = true;
    }

    @Override
    public int choose(ChoicePoint point) {
      if (!muted) return own.choose(point);
      return point.runnableCount() > 0 ? 0 : FIRE_TIMER;
    }

    @Override
    public void start(SimRandom random) {
      own.start(random);
    }

    @Override
    public String name() {
      return own.name();
    }
  }
}
