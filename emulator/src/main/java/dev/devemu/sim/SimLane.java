package dev.devemu.sim;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.dispatch.Envelope;
import org.apache.pekko.dispatch.Mailbox;
import org.apache.pekko.dispatch.NodeMessageQueue;

/**
 * The deterministic heart of a testbed. Pekko hands this lane every mailbox that has work (the lane's
 * dispatcher has throughput 1, so one mailbox run delivers at most one message); instead of running them on a
 * pool, the lane keeps them in a list and lets the run's strategy pick which one runs next, on the one thread
 * that called {@link #run}. When nothing is runnable the virtual clock jumps to the next timer.
 *
 * <p>The run queue lives here rather than in the ExecutorService because Pekko replaces an idle dispatcher's
 * executor.
 */
public final class SimLane implements SchedulingStrategy.ChoicePoint {
  static final String CLOCK_ID = PctStrategy.CLOCK;

  private final String name;
  private final RunList runnable = new RunList(this);
  private final ConcurrentLinkedQueue<Runnable> foreign = new ConcurrentLinkedQueue<>();
  private final AtomicLong foreignEnqueues = new AtomicLong();
  private final Map<Object, String> ids = new IdentityHashMap<>();
  /** For detailed traces: which choice enqueued each message still in a mailbox (envelopes by identity). */
  private final Map<Envelope, Long> senders = new IdentityHashMap<>();
  private boolean recordSenders;
  // Not volatile: only the lane thread writes it and compares it with itself; another thread can only ever see
  // null or the lane thread, never its own Thread, so it correctly takes the foreign path.
  private Thread owner;
  private SimRun current;
  private String rootPrefix = "";
  private String bootPath = "";
  private boolean timerEligible;
  /** Virtual time of the run now, as seen by entries put on the run list (when they became runnable). */
  private long stampNanos;
  /** Which run-list entries the strategy is offered at this choice: all, or only the overdue ones. */
  private final Offer offer = new Offer();
  /**
   * Time domains ({@code sim.domain}): set while this lane runs one domain of a testbed split into several; null
   * otherwise, and then nothing below costs anything. Messages that reach this lane from another domain go
   * through the hook's links instead of straight into a mailbox.
   */
  LinkHook links;
  /** True while this lane runs a window of its domain on its owner thread. */
  private boolean active;
  /** A domain's window: timers due at or after this wait for the next window. Unbounded for one domain. */
  private long windowEnd = Long.MAX_VALUE;

  SimLane(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  /** Called by Pekko (through the lane's executor) whenever a mailbox has something to process. */
  void enqueue(Runnable mailboxRun) {
    if (Thread.currentThread() == owner && (links == null || active)) {
      runnable.add(mailboxRun);
    } else {
      // Something outside the loop touched a testbed actor: keep the work, but the run is no longer reproducible.
      foreignEnqueues.incrementAndGet();
      if (System.getenv("DEVEMU_DEBUG_FOREIGN") != null) new Throwable("foreign enqueue on " + name + " from " + Thread.currentThread().getName()).printStackTrace();
      foreign.add(mailboxRun);
    }
  }

  /**
   * Pekko's mailbox status word ({@code Mailbox._statusDoNotCallMeDirectly}), for plain reads and writes. Pekko
   * sets and clears its "scheduled" bit with a compare-and-swap around every mailbox run, so that two threads
   * never run one actor; a lane is one thread, and those two atomic instructions per delivery were a measurable
   * part of its cost (BENCHMARKS.md). While a testbed runs, the lane thread changes the bit with plain writes
   * ({@link #schedule}, {@link #runOnLane}); anything else (start-up, shutdown, a foreign thread) goes through
   * Pekko's own protocol.
   */
  private static final VarHandle MAILBOX_STATUS;

  static {
    try {
      MAILBOX_STATUS = MethodHandles.privateLookupIn(Mailbox.class, MethodHandles.lookup())
          .findVarHandle(Mailbox.class, "_statusDoNotCallMeDirectly", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final int SCHEDULED = Mailbox.Scheduled();
  private static final int SHOULD_SCHEDULE_MASK = Mailbox.shouldScheduleMask();
  private static final int OPEN = Mailbox.Open();
  private static final int SUSPEND_UNIT = Mailbox.suspendUnit();

  /** True if {@code thread} is the one running this lane now (a testbed, or a drain at shutdown). */
  boolean ownedBy(Thread thread) {
    return thread == owner;
  }

  /** True on the lane's thread while it runs a testbed: the only time {@link #schedule} may be used. */
  boolean runningOnThisThread() {
    return Thread.currentThread() == owner && current != null && (links == null || active);
  }

  /**
   * True if a message for this lane is being sent from another time domain (a domain lane whose window is not
   * running on the calling thread): it must cross a link. Only called when {@link #links} is set.
   */
  boolean crossing() {
    return !(active && Thread.currentThread() == owner);
  }

  /**
   * Pekko's {@code Dispatcher.registerForExecution} for the lane thread: puts the mailbox on the run list if it
   * has something to do and is not on it (or running) already — the same decisions, without atomics.
   *
   * @return true if the mailbox was put on the list
   */
  boolean schedule(Mailbox mailbox, boolean hasMessageHint, boolean hasSystemMessageHint) {
    // canBeScheduledForExecution and setAsScheduled in one read of the status word
    int status = (int) MAILBOX_STATUS.get(mailbox);
    if ((status & SHOULD_SCHEDULE_MASK) != OPEN) return false; // closed, or on the list already
    boolean work = status < SUSPEND_UNIT
        ? hasMessageHint || hasSystemMessageHint || mailbox.hasSystemMessages() || mailbox.hasMessages()
        : hasSystemMessageHint || mailbox.hasSystemMessages(); // suspended: system messages only
    if (!work) return false;
    MAILBOX_STATUS.set(mailbox, status | SCHEDULED);
    runnable.add(mailbox);
    return true;
  }

  /**
   * Pekko's {@code Mailbox.run()} with throughput 1 for the lane thread: system messages, at most one message,
   * system messages again; then idle, and back on the run list if anything is left. Same order, same choices.
   */
  private void runOnLane(Mailbox m) {
    try {
      if (!m.isClosed()) {
        // processAllSystemMessages() does nothing when there are none: asking first saves its bookkeeping
        if (m.hasSystemMessages()) m.processAllSystemMessages();
        if (m.shouldProcessMessage()) {
          Envelope next = m.dequeue();
          if (next != null) {
            m.actor().invoke(next);
            // as processMailbox does: an interrupted lane thread stops here (LanePool.close interrupts its lanes)
            if (Thread.interrupted()) {
              throw sneaky(new InterruptedException("Interrupted while processing actor messages"));
            }
            if (m.hasSystemMessages()) m.processAllSystemMessages();
          }
        }
      }
    } finally {
      MAILBOX_STATUS.set(m, (int) MAILBOX_STATUS.get(m) & ~SCHEDULED);
      schedule(m, false, false);
    }
  }

  /** Throws a checked exception unchecked, as Scala (and so Pekko's mailbox) does. */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneaky(Throwable e) throws E {
    throw (E) e;
  }

  private void runMailbox(Runnable r) {
    if (r instanceof Mailbox m && current != null) {
      runOnLane(m);
    } else {
      r.run();
    }
  }

  /**
   * Called by the lane's dispatcher for every message sent to one of its actors, before it is enqueued. For a
   * detailed trace it remembers the choice being made now: that delivery (or timer) sent this message.
   */
  void sent(Envelope envelope) {
    if (recordSenders && Thread.currentThread() == owner) senders.put(envelope, current.choices() - 1);
  }

  /**
   * Runs one testbed to completion on the calling thread.
   *
   * @param run the run's clock, strategy and trace
   * @param rootPath path of the testbed's root actor (e.g. {@code /system/run-7}); actor ids in traces are
   *     relative to it, so they are the same in every JVM
   * @param bootPath path of the lane's boot actor, the parent of every testbed root on this lane
   * @param boot asks the boot actor to spawn the root; called on the lane thread
   * @param abort asks the boot actor to stop the root; called if the run throws
   */
  RunStats run(SimRun run, String bootPath, String rootPath, Runnable boot, Runnable abort) {
    if (current != null) throw new IllegalStateException("lane " + name + " is already running a testbed");
    current = run;
    rootPrefix = rootPath.endsWith("/") ? rootPath : rootPath + "/";
    this.bootPath = bootPath;
    owner = Thread.currentThread();
    recordSenders = run.trace().detailed();
    stampNanos = run.clock().now();
    long foreignBefore = foreignEnqueues.get();
    try {
      boot.run();
      loop(run);
    } catch (RuntimeException | Error e) {
      // Tear the testbed down so that nothing of it leaks into the next run on this lane.
      run.clock().clear();
      abort.run();
      drainFifo();
      throw e;
    } finally {
      run.clock().clear();
      ids.clear();
      senders.clear();
      recordSenders = false;
      current = null;
      owner = null;
    }
    return new RunStats(run.choices(), run.clock().now(), foreignEnqueues.get() - foreignBefore);
  }

  // ---- Time domains (sim.domain): one testbed over several lanes, run window by window. ----

  private static final ThreadLocal<SimLane> ACTIVE = new ThreadLocal<>();
  private Runnable pendingBoot;

  /** The domain lane whose window runs on the calling thread now, or null. */
  static SimLane activeOnThisThread() {
    return ACTIVE.get();
  }

  /**
   * Makes this lane run {@code run} as one time domain of a testbed, window by window ({@link #runWindow}). Its
   * actors are children of the testbed root at {@code rootPath}; {@code boot} (the guest domain's, null for the
   * others) spawns that root at the start of the first window.
   */
  public void beginDomain(SimRun run, String bootPath, String rootPath, Runnable boot, LinkHook links) {
    if (current != null) throw new IllegalStateException("lane " + name + " is already running a testbed");
    current = run;
    rootPrefix = rootPath.endsWith("/") ? rootPath : rootPath + "/";
    this.bootPath = bootPath;
    this.links = links;
    recordSenders = run.trace().detailed();
    stampNanos = run.clock().now();
    pendingBoot = boot;
    foreignAtBegin = foreignEnqueues.get();
  }

  private long foreignAtBegin;

  /**
   * Runs this domain on the calling thread until nothing is runnable and its next timer is due at or after
   * {@code end} (or the run is finished and idle).
   */
  public void runWindow(long end) {
    owner = Thread.currentThread();
    active = true;
    windowEnd = end;
    ACTIVE.set(this);
    try {
      if (pendingBoot != null) {
        Runnable b = pendingBoot;
        pendingBoot = null;
        b.run();
      }
      loop(current);
    } finally {
      ACTIVE.remove();
      active = false;
    }
  }

  /**
   * When this domain next has something to do: now if something is runnable, else its next timer's due time;
   * {@code Long.MAX_VALUE} if nothing at all (or its run is finished and it is idle).
   */
  public long nextEventNanos() {
    if (pendingBoot != null || !runnable.isEmpty() || !foreign.isEmpty()) return current.clock().now();
    if (current.isFinished()) return Long.MAX_VALUE;
    VirtualClock.Timer t = current.clock().peek();
    return t == null ? Long.MAX_VALUE : t.due;
  }

  /**
   * A time domain that is lost ({@code sim.domain.DomainLosses}): drops its timers — device timers, link messages
   * not yet delivered — except those whose label {@code keep} accepts. Between windows only.
   */
  public void discardTimers(java.util.function.Predicate<String> keep) {
    current.clock().removeIf(t -> !keep.test(t.label));
  }

  /**
   * The earliest moment this domain could send anything to another: now if something is runnable, else its next
   * timer that is not local ({@link VirtualClock#scheduleLocal}); {@code Long.MAX_VALUE} if none (or its run is
   * finished and it is idle). At or after {@link #nextEventNanos}.
   */
  public long nextSendNanos() {
    if (pendingBoot != null || !runnable.isEmpty() || !foreign.isEmpty()) return current.clock().now();
    if (current.isFinished()) return Long.MAX_VALUE;
    return current.clock().nextNonLocalDue();
  }

  /** Ends this lane's part in a domain run; returns what it cost. */
  public RunStats endDomain() {
    SimRun run = current;
    long now = run.clock().now();
    run.clock().clear();
    ids.clear();
    senders.clear();
    recordSenders = false;
    current = null;
    owner = null;
    links = null;
    windowEnd = Long.MAX_VALUE;
    pendingBoot = null;
    return new RunStats(run.choices(), now, foreignEnqueues.get() - foreignAtBegin);
  }

  /**
   * After a domain run failed: the lanes of the testbed leave their domains and the calling thread runs all of
   * them as plain lanes, so that stopping the testbed's actors (which crosses lanes) completes.
   */
  public void detachForTeardown() {
    links = null;
    active = false;
    windowEnd = Long.MAX_VALUE;
    current.clock().clear();
    current = null;
    owner = Thread.currentThread();
  }

  /** Runs what is queued on this lane (teardown after {@link #detachForTeardown}); returns how many ran. */
  public int drainQueued() {
    int ran = runnable.size() + foreign.size();
    drainFifo();
    return ran;
  }

  /** Clears the owner after a teardown drain. */
  public void release() {
    ids.clear();
    senders.clear();
    owner = null;
  }

  private void loop(SimRun run) {
    VirtualClock clock = run.clock();
    ExternalInputs inputs = run.inputs();
    SchedulingStrategy strategy = run.strategy();
    TraceSink trace = run.trace();
    boolean tracing = run.tracing();
    long lookahead = run.lookaheadNanos();
    long fairness = run.fairnessNanos();
    long fairnessChoices = run.fairnessChoices();
    long lastInstant = -1;
    long choicesThisInstant = 0;
    long timerEligibleSince = -1;
    VirtualClock.Timer eligibleTimer = null;
    while (true) {
      // Foreign enqueues break determinism anyway; looking for them now and then (and whenever the lane runs
      // dry) keeps a volatile read off the per-choice path without ever losing one.
      if ((run.choices() & 1023) == 0 || runnable.isEmpty()) {
        if (!foreign.isEmpty()) drainForeign();
      }
      int n = runnable.size();
      VirtualClock.Timer next = run.isFinished() ? null : clock.peek();
      if (n == 0 && inputs != null && !run.isFinished()) {
        // An open run: inputs from outside land only here, when the run is idle, so that a recorded list of
        // (time, input) replays at the same points of the loop.
        ExternalInputs.Input in = inputs.next(clock.now(), next == null ? Long.MAX_VALUE : next.due);
        if (in == ExternalInputs.END) return;
        if (in != null) {
          clock.advanceTo(Math.max(clock.now(), in.at()));
          in.deliver().run();
          continue;
        }
        if (next == null) continue;
      }
      if (n == 0 && next == null) return;
      long now = clock.now();
      long choice = run.choices();
      // The fairness bound (docs/scenarios.md, machine.fairness): while a message waits, virtual time may not
      // move more than the bound past the moment it became runnable, so a timer beyond that is not a legal move.
      boolean timerOk = next != null && next.due < windowEnd && (n == 0
          || (next.due <= now + lookahead && next.due <= runnable.oldestSinceNanos() + fairness));
      if (n == 0 && !timerOk) return; // only with time domains: the next timer belongs to a later window
      if (!timerOk || next != eligibleTimer) {
        eligibleTimer = timerOk ? next : null;
        timerEligibleSince = timerOk ? choice : -1;
      }
      // ... and no runnable message (nor an eligible timer) waits more than fairnessChoices choices: one that has
      // is overdue, and the strategy then chooses among the overdue ones only. Enforced here, for every strategy.
      boolean timerOverdue = timerOk && n > 0 && choice - timerEligibleSince >= fairnessChoices;
      boolean overdue = timerOverdue || runnable.oldestSinceChoice(choice) <= choice - fairnessChoices;
      if (overdue) {
        offer.restrictTo(runnable, choice - fairnessChoices);
        timerEligible = timerOverdue;
      } else {
        offer.all();
        timerEligible = timerOk;
      }
      int pick = strategy.choose(this); // asked even when only the timer can fire, so replay stays aligned
      long step = run.choices();
      run.countChoice();
      String delivered;
      if (pick == SchedulingStrategy.FIRE_TIMER) {
        if (!timerEligible) throw new IllegalStateException(strategy.name() + " chose a timer that may not fire");
        VirtualClock.Timer timer = clock.fireNext();
        eligibleTimer = null;
        if (tracing) trace.record(step, clock.now(), CLOCK_ID, timer.label);
        stampNanos = clock.now();
        timer.action.run();
        delivered = CLOCK_ID;
      } else {
        Runnable r = runnable.takeSwapping(offer.index(pick));
        if (tracing) recordDelivery(trace, step, clock.now(), r);
        runMailbox(r);
        delivered = null;
        if (choicesThisInstant + 1 >= run.maxChoicesPerInstant()) delivered = actorId(r);
      }
      if (run.choices() >= run.maxChoices()) {
        throw new IllegalStateException("run exceeded " + run.maxChoices() + " choices");
      }
      now = clock.now();
      if (now != lastInstant) {
        lastInstant = now;
        choicesThisInstant = 0;
      } else if (++choicesThisInstant == run.maxChoicesPerInstant()) {
        // a livelock: deliveries without virtual time moving. The run's handler reports it and ends the run.
        run.stallHandler().accept(delivered);
      } else if (choicesThisInstant == 2 * run.maxChoicesPerInstant()) {
        throw new IllegalStateException("livelock: " + choicesThisInstant + " deliveries at " + now
            + " ns without virtual time moving, and the run did not end when told (last delivery: " + delivered + ")");
      }
    }
  }

  /**
   * Runs whatever is queued, in arrival order, on the calling thread. Used while the actor system shuts down:
   * stopping testbed actors needs their mailboxes to run, and no testbed loop is pumping any more.
   *
   * @return number of mailbox runs executed
   */
  synchronized int drainForShutdown() {
    if (current != null) return 0;
    owner = Thread.currentThread();
    int ran = runnable.size() + foreign.size();
    try {
      drainFifo();
    } finally {
      owner = null;
    }
    return ran;
  }

  private void drainFifo() {
    drainForeign();
    while (!runnable.isEmpty()) {
      runMailbox(runnable.takeFirst());
      drainForeign();
    }
  }

  private void drainForeign() {
    Runnable r;
    while ((r = foreign.poll()) != null) runnable.add(r);
  }

  @Override
  public long step() {
    return current.choices();
  }

  @Override
  public int runnableCount() {
    return offer.count(runnable);
  }

  @Override
  public String actorId(int i) {
    return actorId(runnable.get(offer.index(i)));
  }

  @Override
  public boolean timerEligible() {
    return timerEligible;
  }

  private String actorId(Runnable r) {
    String id = ids.get(r);
    if (id == null) {
      if (r instanceof Mailbox m && m.actor() != null) {
        String path = m.actor().self().path().toStringWithoutAddress();
        if (path.startsWith(rootPrefix)) id = path.substring(rootPrefix.length());
        else if (path.equals(rootPrefix.substring(0, rootPrefix.length() - 1))) id = "testbed";
        else if (path.equals(bootPath)) id = "@boot";
        else id = path;
      } else {
        id = "@exec";
      }
      ids.put(r, id);
    }
    return id;
  }

  /** Records the delivery about to run: the actor, the message at the head of its mailbox and who sent it. */
  private void recordDelivery(TraceSink trace, long step, long now, Runnable r) {
    Envelope e = null;
    if (r instanceof Mailbox m) {
      if (m.messageQueue() instanceof SimMessageQueue q) {
        e = q.peek();
      } else if (m.messageQueue() instanceof NodeMessageQueue q) {
        e = q.peek();
      }
    }
    String text = e == null ? "<system>" : Traceable.describe(e.message());
    long sender = -1;
    if (recordSenders && e != null) {
      Long s = senders.remove(e);
      if (s != null) sender = s;
    }
    trace.record(step, now, actorId(r), text, sender);
  }

  /**
   * The run list: mailboxes (and other tasks) with something to do, in the order the strategy sees them. A bare
   * array, as it is touched a few times per delivery. {@link #takeSwapping} moves the last entry into the hole,
   * as the lane always has: the order is part of what a seed means.
   */
  private static final class RunList {
    private Runnable[] items = new Runnable[16];
    /** When each entry became runnable: virtual time and choice number (for the fairness bound). */
    private long[] sinceNanos = new long[16];
    private long[] sinceChoice = new long[16];
    private int size;
    private final SimLane lane;

    RunList(SimLane lane) {
      this.lane = lane;
    }

    long oldestSinceNanos() {
      long min = Long.MAX_VALUE;
      for (int i = 0; i < size; i++) min = Math.min(min, sinceNanos[i]);
      return min;
    }

    /** The smallest choice number at which a current entry became runnable, or {@code whenEmpty}. */
    long oldestSinceChoice(long whenEmpty) {
      long min = whenEmpty;
      for (int i = 0; i < size; i++) min = Math.min(min, sinceChoice[i]);
      return min;
    }

    long sinceChoice(int i) {
      return sinceChoice[i];
    }

    int size() {
      return size;
    }

    boolean isEmpty() {
      return size == 0;
    }

    void add(Runnable r) {
      if (size == items.length) {
        items = java.util.Arrays.copyOf(items, size * 2);
        sinceNanos = java.util.Arrays.copyOf(sinceNanos, size * 2);
        sinceChoice = java.util.Arrays.copyOf(sinceChoice, size * 2);
      }
      sinceNanos[size] = lane.stampNanos;
      sinceChoice[size] = lane.current == null ? 0 : lane.current.choices();
      items[size++] = r;
    }

    Runnable get(int i) {
      if (i >= size) throw new IndexOutOfBoundsException("run list index " + i + " of " + size);
      return items[i];
    }

    /** Removes entry i, moving the last entry into its place. */
    Runnable takeSwapping(int i) {
      Runnable r = get(i);
      int last = --size;
      items[i] = items[last];
      sinceNanos[i] = sinceNanos[last];
      sinceChoice[i] = sinceChoice[last];
      items[last] = null;
      return r;
    }

    /** Removes the first entry, keeping the order of the rest (shutdown drains in arrival order). */
    Runnable takeFirst() {
      Runnable r = get(0);
      System.arraycopy(items, 1, items, 0, --size);
      System.arraycopy(sinceNanos, 1, sinceNanos, 0, size);
      System.arraycopy(sinceChoice, 1, sinceChoice, 0, size);
      items[size] = null;
      return r;
    }
  }

  /**
   * The entries of the run list the strategy may choose from now, by index: every entry, or (when the fairness
   * bound forces it) only those that have waited too long, in run-list order.
   */
  private static final class Offer {
    private int[] indices = new int[16];
    private int size = -1; // -1: every entry, as they are

    void all() {
      size = -1;
    }

    void restrictTo(RunList list, long waitedSince) {
      if (indices.length < list.size()) indices = new int[list.size() * 2];
      size = 0;
      for (int i = 0; i < list.size(); i++) {
        if (list.sinceChoice(i) <= waitedSince) indices[size++] = i;
      }
    }

    int count(RunList list) {
      return size < 0 ? list.size() : size;
    }

    int index(int i) {
      if (size < 0) return i;
      if (i >= size) throw new IndexOutOfBoundsException("choice " + i + " of " + size + " overdue entries");
      return indices[i];
    }
  }

  /** What one run cost: choices made, virtual time reached, and enqueues that came from a foreign thread. */
  public record RunStats(long choices, long virtualNanos, long foreignEnqueues) {}
}
