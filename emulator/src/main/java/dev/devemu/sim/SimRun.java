package dev.devemu.sim;

/**
 * Everything that makes one run reproducible: its seed, its generator, its clock, its strategy and its trace.
 * Owned by one lane thread; nothing here is thread-safe, and nothing needs to be.
 */
public final class SimRun {
  /** Default fairness bound in virtual time (scenario key {@code machine.fairness}). */
  public static final long DEFAULT_FAIRNESS_NANOS = 100 * VirtualClock.MICROSECOND;
  /** Default fairness bound in choices: how long a runnable message may wait while time stands still. */
  public static final long DEFAULT_FAIRNESS_CHOICES = 10_000;
  /** Choices at one virtual instant that make a livelock (reported as a soft lockup, never a hang). */
  public static final long DEFAULT_MAX_CHOICES_PER_INSTANT = 1_000_000;

  private final long seed;
  private final SimRandom random;
  private final VirtualClock clock = new VirtualClock();
  private final SchedulingStrategy strategy;
  private final TraceSink trace;
  private final boolean tracing;
  private final boolean noting;
  private final long lookaheadNanos;
  private final long maxChoices;
  private final long maxChoicesPerInstant;
  private final long fairnessNanos;
  private final long fairnessChoices;
  private final ExternalInputs inputs;
  private final DomainPlacement placement;
  private java.util.function.Consumer<String> onStall = spinner -> {};
  private boolean finished;
  private long choices;
  private long faultDecisions;

  private SimRun(Builder b) {
    this.seed = b.seed;
    this.random = new SimRandom(b.seed);
    this.strategy = b.strategy;
    this.trace = b.trace;
    this.tracing = b.trace != TraceSink.NONE;
    this.noting = b.trace.detailed();
    this.lookaheadNanos = b.lookaheadNanos;
    this.maxChoices = b.maxChoices;
    this.maxChoicesPerInstant = b.maxChoicesPerInstant;
    this.fairnessNanos = b.fairnessNanos;
    this.fairnessChoices = b.fairnessChoices;
    this.inputs = b.inputs;
    this.placement = b.placement;
    strategy.start(random.fork("strategy"));
  }

  public static Builder builder(long seed) {
    return new Builder(seed);
  }

  public long seed() {
    return seed;
  }

  /** The root generator. Components should {@link SimRandom#fork(String) fork} their own stream by name. */
  public SimRandom random() {
    return random;
  }

  public VirtualClock clock() {
    return clock;
  }

  public SchedulingStrategy strategy() {
    return strategy;
  }

  TraceSink trace() {
    return trace;
  }

  boolean tracing() {
    return tracing;
  }

  /** True if the trace keeps notes: callers skip building the text otherwise. */
  public boolean noting() {
    return noting;
  }

  /** Attaches a note to the delivery being made now (see {@link TraceSink#note}). */
  public void note(String text) {
    if (noting) trace.note(choices - 1, text);
  }

  long lookaheadNanos() {
    return lookaheadNanos;
  }

  long maxChoices() {
    return maxChoices;
  }

  long fairnessNanos() {
    return fairnessNanos;
  }

  long fairnessChoices() {
    return fairnessChoices;
  }

  /**
   * Where the testbed's time domains run (their dispatchers and clocks), or null when the run is one domain:
   * set on the guest domain's run by {@code sim.domain.DomainRun}.
   */
  public DomainPlacement placement() {
    return placement;
  }

  /** Where inputs from outside the run come from, or null for a closed run. */
  ExternalInputs inputs() {
    return inputs;
  }

  /**
   * Installs what to do when too many choices happen without the clock moving (a livelock): it is given the id
   * of the actor delivered last (the one spinning, most likely, e.g. {@code cpu1}) and must end the run.
   */
  public void onStall(java.util.function.Consumer<String> onStall) {
    this.onStall = onStall;
  }

  /** Choices at one virtual instant after which the run is a livelock. */
  public long maxChoicesPerInstant() {
    return maxChoicesPerInstant;
  }

  java.util.function.Consumer<String> stallHandler() {
    return onStall;
  }

  /** The testbed calls this once its root actor has stopped; the lane then drains and returns. */
  public void finish() {
    finished = true;
  }

  public boolean isFinished() {
    return finished;
  }

  /** Number of choices (deliveries and timer firings) made so far. */
  public long choices() {
    return choices;
  }

  void countChoice() {
    choices++;
  }

  /** True if the strategy decides fault points ({@code +steer}); the fault stream does otherwise. */
  public boolean steersFaults() {
    return strategy.steersFaults();
  }

  /**
   * Asks the strategy whether a call at a fault point with plan probability {@code probability} fails, and records
   * the answer in the trace as a choice ({@link FaultChoices}), after the delivery in progress. Only for runs that
   * {@link #steersFaults()}.
   */
  public boolean chooseFault(String point, String where, double probability) {
    boolean fail = strategy.chooseFault(new SchedulingStrategy.FaultQuery(faultDecisions, point, where, probability));
    faultDecisions++;
    if (tracing) {
      trace.record(Math.max(0, choices - 1), clock.now(), FaultChoices.id(point, fail),
          "fault point " + point + " in " + where + " (p=" + probability + ")");
    }
    return fail;
  }

  /** Fault decisions asked of the strategy so far (0 unless it {@link #steersFaults()}). */
  public long faultDecisions() {
    return faultDecisions;
  }

  public static final class Builder {
    private final long seed;
    private SchedulingStrategy strategy = new RandomWalkStrategy();
    private TraceSink trace = TraceSink.NONE;
    private long lookaheadNanos = 0;
    private long maxChoices = Long.MAX_VALUE;
    private long maxChoicesPerInstant = DEFAULT_MAX_CHOICES_PER_INSTANT;
    private long fairnessNanos = DEFAULT_FAIRNESS_NANOS;
    private long fairnessChoices = DEFAULT_FAIRNESS_CHOICES;
    private ExternalInputs inputs;
    private DomainPlacement placement;

    Builder(long seed) {
      this.seed = seed;
    }

    public Builder strategy(SchedulingStrategy strategy) {
      this.strategy = strategy;
      return this;
    }

    public Builder trace(TraceSink trace) {
      this.trace = trace;
      return this;
    }

    /**
     * How far ahead of the current virtual time a timer may fire while actors are still runnable. Work in a
     * testbed takes no virtual time by itself; the lookahead is what lets a device event land in the middle of
     * a driver's code path, as it does on real hardware where code takes time to run.
     */
    public Builder lookaheadNanos(long lookaheadNanos) {
      if (lookaheadNanos < 0) throw new IllegalArgumentException("lookahead must not be negative");
      this.lookaheadNanos = lookaheadNanos;
      return this;
    }

    public Builder maxChoices(long maxChoices) {
      this.maxChoices = maxChoices;
      return this;
    }

    /**
     * The fairness bound in virtual time: a message that is runnable is delivered before virtual time moves
     * more than this past the moment it became runnable, whatever the strategy prefers.
     */
    public Builder fairnessNanos(long fairnessNanos) {
      if (fairnessNanos <= 0) throw new IllegalArgumentException("fairness bound must be positive");
      this.fairnessNanos = fairnessNanos;
      return this;
    }

    /**
     * The fairness bound in choices: a runnable message (or an eligible timer) waits at most this many choices;
     * then the strategy must choose among the overdue ones.
     */
    public Builder fairnessChoices(long fairnessChoices) {
      if (fairnessChoices < 1) throw new IllegalArgumentException("fairness in choices must be at least 1");
      this.fairnessChoices = fairnessChoices;
      return this;
    }

    public Builder maxChoicesPerInstant(long maxChoicesPerInstant) {
      this.maxChoicesPerInstant = maxChoicesPerInstant;
      return this;
    }

    /**
     * Makes the run open: when nothing is runnable, the lane asks {@code inputs} for the next input from outside
     * (live mode, or the replay of a recorded live session) before it fires a timer, and ends when it says so.
     */
    public Builder inputs(ExternalInputs inputs) {
      this.inputs = inputs;
      return this;
    }

    /** Makes this run the guest domain of a testbed split into time domains (see {@link #placement()}). */
    public Builder placement(DomainPlacement placement) {
      this.placement = placement;
      return this;
    }

    public SimRun build() {
      return new SimRun(this);
    }
  }
}
