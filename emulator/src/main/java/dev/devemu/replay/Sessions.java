package dev.devemu.replay;

import dev.devemu.kernel.KernelConfig;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.SwarmFaultPlan;
import dev.devemu.sim.PctStrategy;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.Runner;

/** Runs recipes on a host, and measures what a strategy needs to know before it can run (PCT's k). */
public final class Sessions {
  private Sessions() {}

  /** One run of a recipe on lane 0 of {@code host}. */
  public static Runner.Outcome run(SimHost host, RunRecipe recipe, Runner.TraceMode mode) {
    return run(host, recipe, recipe.scenario(), mode);
  }

  /** Like {@link #run(SimHost, RunRecipe, Runner.TraceMode)} with the recipe's scenario already parsed. */
  public static Runner.Outcome run(SimHost host, RunRecipe recipe, Scenario scenario, Runner.TraceMode mode) {
    return run(host, 0, recipe, scenario, mode);
  }

  /** Like {@link #run(SimHost, RunRecipe, Scenario, Runner.TraceMode)} on lane {@code lane} of the host. */
  public static Runner.Outcome run(SimHost host, int lane, RunRecipe recipe, Scenario scenario,
      Runner.TraceMode mode) {
    return run(host, lane, recipe, scenario, mode, 1);
  }

  /**
   * @param lanes threads for the time domains of a scenario that declares them ({@code --lanes}); the trace is
   *     the same for every value
   */
  public static Runner.Outcome run(SimHost host, RunRecipe recipe, Scenario scenario, Runner.TraceMode mode,
      int lanes) {
    return run(host, 0, recipe, scenario, mode, lanes);
  }

  private static Runner.Outcome run(SimHost host, int lane, RunRecipe recipe, Scenario scenario,
      Runner.TraceMode mode, int lanes) {
    return run(host, lane, recipe, scenario, mode, lanes, java.util.List.of());
  }

  /** With time domains hosted by other nodes ({@code run --domain-node}; docs/domains.md, "Nodes"). */
  public static Runner.Outcome run(SimHost host, int lane, RunRecipe recipe, Scenario scenario,
      Runner.TraceMode mode, int lanes, java.util.List<dev.devemu.sim.domain.RemoteDomains> remotes) {
    // Swarm draws per seed, here rather than in RunRecipe.scenario(): explore and the bench parse a scenario once
    // and run it under many seeds.
    if (recipe.strategy().swarm()) scenario = SwarmFaultPlan.apply(scenario, recipe.seed());
    return Runner.run(host, lane, scenario, recipe.seed(),
        Runner.Options.defaults().withStrategy(recipe.schedulingStrategy()).withTrace(mode).withDomainThreads(lanes),
        k -> {}, remotes);
  }

  /**
   * Measures PCT's k — how many decisions (choice points with more than one option) a run of this scenario
   * makes — with a first run under {@code pct:1} (random priorities, no change points) and panic-on-oops off,
   * so that a bug on the way does not cut the run short. Returns the spec unchanged if it needs nothing.
   */
  public static StrategySpec resolve(SimHost host, StrategySpec spec, Scenario scenario, long seed) {
    if (spec.resolved()) return spec;
    if (spec.steer()) {
      // +steer: k and F from one run in which the strategy lets every fault call pass (a fault cutting the first
      // run short would undercount both); a k given on the command line is kept
      PctStrategy probe = measure(host, scenario, seed, PctStrategy.steeringFaults(1, 1, 0));
      StrategySpec withF = spec.withF(probe.faultDecisions());
      return spec.k() > 0 ? withF : withF.withK(probe.decisions());
    }
    return spec.withK(measureDecisions(host, scenario, seed));
  }

  /** The number of decisions of a full {@code pct:1} run of the scenario under {@code seed}. */
  public static long measureDecisions(SimHost host, Scenario scenario, long seed) {
    return Math.max(1, measure(host, scenario, seed, new PctStrategy(1, 1)).decisions());
  }

  private static PctStrategy measure(SimHost host, Scenario scenario, long seed, PctStrategy probe) {
    KernelConfig k = scenario.kernel();
    Scenario full = RunRecipe.withKernel(scenario,
        new KernelConfig(false, k.hungTaskTimeoutNanos(), k.softLockupNanos(), k.kcsanWindowChoices()));
    Runner.run(host, 0, full, seed, Runner.Options.defaults().withStrategy(probe).withTrace(Runner.TraceMode.NONE));
    return probe;
  }
}
