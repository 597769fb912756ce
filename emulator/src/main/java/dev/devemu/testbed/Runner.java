package dev.devemu.testbed;

import dev.devemu.kernel.ErrorPaths;
import dev.devemu.scenario.Scenario;
import dev.devemu.sim.DeliveryTrace;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.SchedulingStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.SimLane;
import dev.devemu.sim.SimRun;
import dev.devemu.sim.TraceSink;
import dev.devemu.scenario.FaultPlan;
import dev.devemu.sim.domain.DomainLosses;
import dev.devemu.sim.domain.DomainRun;

/** Runs one scenario under one seed on a lane of a {@link SimHost}, on the calling thread. */
public final class Runner {
  private Runner() {}

  /**
   * How to run.
   *
   * @param strategy who makes the scheduling choices
   * @param trace whether to hash the deliveries ({@code hash}), also keep them ({@code keep}), or neither
   * @param maxChoices a run that makes more choices than this is stopped as an internal error
   */
  public record Options(SchedulingStrategy strategy, TraceMode trace, long maxChoices, ErrorPaths errorPaths,
      int domainThreads) {
    public Options(SchedulingStrategy strategy, TraceMode trace, long maxChoices, ErrorPaths errorPaths) {
      this(strategy, trace, maxChoices, errorPaths, 1);
    }

    public static Options defaults() {
      return new Options(new RandomWalkStrategy(), TraceMode.HASH, Long.MAX_VALUE, null);
    }

    public Options withStrategy(SchedulingStrategy s) {
      return new Options(s, trace, maxChoices, errorPaths, domainThreads);
    }

    public Options withTrace(TraceMode mode) {
      return new Options(strategy, mode, maxChoices, errorPaths, domainThreads);
    }

    /** Records error-path coverage of the run into {@code paths} (null: off). */
    public Options withErrorPaths(ErrorPaths paths) {
      return new Options(strategy, trace, maxChoices, paths, domainThreads);
    }

    /**
     * How many threads run the time domains of a scenario that declares them ({@code --lanes N}); the trace is the
     * same for every N. No effect on a scenario without domains.
     */
    public Options withDomainThreads(int threads) {
      if (threads < 1) throw new IllegalArgumentException("--lanes must be at least 1, got " + threads);
      return new Options(strategy, trace, maxChoices, errorPaths, threads);
    }
  }

  /**
   * How much of the delivery trace to record: nothing, its hash, every delivery (to write or shrink a trace),
   * or every delivery with who sent it and what it did (to draw it on a timeline).
   */
  public enum TraceMode { NONE, HASH, KEEP, DETAILED }

  /** A finished run: its result and, if asked for, its trace and the trace's hash. */
  public record Outcome(RunResult result, String traceSha256, DeliveryTrace trace, SimLane.RunStats stats,
      DomainRun.Stats domains) {
    public Outcome(RunResult result, String traceSha256, DeliveryTrace trace, SimLane.RunStats stats) {
      this(result, traceSha256, trace, stats, null);
    }
  }

  /** The scenario's {@code lose-domain} events, as losses of its domain run (docs/domains.md, "A lost domain"). */
  public static java.util.List<DomainLosses.Planned> plannedLosses(Scenario scenario) {
    java.util.List<DomainLosses.Planned> out = new java.util.ArrayList<>();
    for (FaultPlan.Event e : scenario.faults().events()) {
      if (e.action() == FaultPlan.Action.LOSE_DOMAIN) {
        out.add(DomainLosses.Planned.at(e.params().domain(), e.atNanos(), "fault plan (line " + e.line() + ")"));
      }
    }
    return out;
  }

  private static DomainLosses planned(DomainLosses given, Scenario scenario) {
    DomainLosses l = given != null ? given : DomainLosses.none();
    l.plan(plannedLosses(scenario));
    return l;
  }

  public static Outcome run(SimHost host, int lane, Scenario scenario, long seed, Options options) {
    return run(host, lane, scenario, seed, options, k -> {});
  }

  /** Like {@link #run(SimHost, int, Scenario, long, Options)}, letting {@code atEnd} look at the machine at the end. */
  public static Outcome run(SimHost host, int lane, Scenario scenario, long seed, Options options,
      java.util.function.Consumer<dev.devemu.kernel.Kernel> atEnd) {
    return run(host, lane, scenario, seed, options, atEnd, null, java.util.List.of());
  }

  /**
   * Like {@link #run(SimHost, int, Scenario, long, Options, java.util.function.Consumer)}; for a scenario with time
   * domains, {@code losses} (null: the scenario's {@code lose-domain} events) decides which are lost, and a node
   * layer may declare more lost through it while the run goes on ({@link DomainLosses#lose}).
   */
  public static Outcome run(SimHost host, int lane, Scenario scenario, long seed, Options options,
      java.util.function.Consumer<dev.devemu.kernel.Kernel> atEnd, DomainLosses losses) {
    return run(host, lane, scenario, seed, options, atEnd, losses, java.util.List.of());
  }


  /**
   * Time domains on nodes, on a node that hosts device domains: builds this node's copy of the testbed of
   * {@code scenario} under {@code seed} and hosts the domains {@code hosted} of it, round by round, for the node
   * that runs the guest.
   *
   * @param detailed the guest's node records a detailed trace
   * @param maxChoices the run's bound on choices per domain, as on the guest's node
   */
  public static dev.devemu.sim.domain.DomainNodes.Hosting hostDomains(SimHost host, int lane, Scenario scenario,
      long seed, boolean detailed, long maxChoices, java.util.Set<String> hosted) {
    if (scenario.domains().isEmpty()) throw new IllegalArgumentException("scenario " + scenario.name() + " has no domains");
    // the trace sink only says that deliveries are recorded (and how): they go to the guest's node, never here
    DeliveryTrace trace = new DeliveryTrace(false, detailed);
    DomainRun.Settings s = new DomainRun.Settings(seed, new dev.devemu.sim.RandomWalkStrategy(), trace,
        scenario.machine().lookaheadNanos(), scenario.machine().fairnessNanos(), maxChoices, 1);
    return dev.devemu.sim.domain.DomainNodes.host(host, lane, scenario.domains(), s, hosted,
        r -> Testbed.create(scenario, r, res -> {}, k -> {}, k -> {}));
  }

  /**
   * Time domains on nodes: runs the guest here and drives the rounds; {@code remotes} host the other domains they
   * name (docs/domains.md, "Nodes"). The trace is the one of the same run in one JVM.
   */
  public static Outcome run(SimHost host, int lane, Scenario scenario, long seed, Options options,
      java.util.function.Consumer<dev.devemu.kernel.Kernel> atEnd,
      java.util.List<dev.devemu.sim.domain.RemoteDomains> remotes) {
    return run(host, lane, scenario, seed, options, atEnd, null, remotes);
  }

  /**
   * The general form: {@code losses} as in {@link #run(SimHost, int, Scenario, long, Options,
   * java.util.function.Consumer, DomainLosses)}, {@code remotes} as above; a remote node that goes silent loses its
   * domains at the round it did not answer.
   */
  public static Outcome run(SimHost host, int lane, Scenario scenario, long seed, Options options,
      java.util.function.Consumer<dev.devemu.kernel.Kernel> atEnd, DomainLosses losses,
      java.util.List<dev.devemu.sim.domain.RemoteDomains> remotes) {
    DeliveryTrace trace = options.trace() == TraceMode.NONE ? null
        : new DeliveryTrace(options.trace() != TraceMode.HASH, options.trace() == TraceMode.DETAILED);
    SimRun run = SimRun.builder(seed)
        .strategy(options.strategy())
        .trace(trace == null ? TraceSink.NONE : trace)
        .lookaheadNanos(scenario.machine().lookaheadNanos())
        .fairnessNanos(scenario.machine().fairnessNanos())
        .maxChoices(options.maxChoices())
        .build();
    RunResult[] result = new RunResult[1];
    ErrorPaths paths = options.errorPaths();
    java.util.function.Consumer<dev.devemu.kernel.Kernel> setup = paths == null ? k -> {} : k -> k.errorPaths(paths);
    DomainRun.Stats domains = null;
    SimLane.RunStats stats;
    if (scenario.domains().isEmpty()) {
      stats = host.run(lane, run, r -> Testbed.create(scenario, r, res -> result[0] = res, atEnd, setup));
    } else {
      // Time domains: the guest's run is built by DomainRun (one run per domain); `run` above is not used.
      domains = DomainRun.run(host, lane, scenario.domains(), new DomainRun.Settings(seed, options.strategy(),
          trace == null ? TraceSink.NONE : trace, scenario.machine().lookaheadNanos(),
          scenario.machine().fairnessNanos(), options.maxChoices(), options.domainThreads()),
          r -> Testbed.create(scenario, r, res -> result[0] = res, atEnd, setup), planned(losses, scenario), remotes);
      stats = new SimLane.RunStats(domains.choices(), domains.virtualNanos(), domains.foreignEnqueues());
    }
    if (result[0] == null) throw new IllegalStateException("testbed ended without a result");
    if (stats.foreignEnqueues() > 0) {
      throw new IllegalStateException("determinism broken: " + stats.foreignEnqueues()
          + " messages reached the testbed from outside its lane");
    }
    if (result[0].internalError() != null) throw new IllegalStateException("emulator error: " + result[0].internalError());
    return new Outcome(result[0], trace == null ? null : trace.sha256(), trace, stats, domains);
  }
}
