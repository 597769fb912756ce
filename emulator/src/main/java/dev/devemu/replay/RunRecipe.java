package dev.devemu.replay;

import dev.devemu.kernel.KernelConfig;
import dev.devemu.kernel.Variant;
import dev.devemu.scenario.FaultPlan;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.DeliveryTrace;
import dev.devemu.sim.ReplayStrategy;
import dev.devemu.sim.SchedulingStrategy;
import dev.devemu.testbed.TraceFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything that decides a run, and nothing else: the scenario's text (so no file is needed to replay it), the
 * seed, the variant override, the strategy with its parameters, a duration override, the faults the shrinker
 * dropped, and — for a run replayed from a trace — the recorded choices. Reports and trace files carry one;
 * two runs of the same recipe are the same run, in any JVM.
 *
 * @param scenarioFile the scenario's file name as given on the command line (for messages and commands)
 * @param scenarioSource the scenario's full text
 * @param variantOverride {@code raw}, {@code safe}, or null to keep the scenario's variants
 * @param strategy the strategy that makes the choices (for a replay of choices: the one that recorded them)
 * @param durationOverrideNanos 0 keeps the scenario's duration
 * @param faultsDisabled no probabilistic fault point fires ({@code faults.probability} is ignored)
 * @param droppedFaults fault-plan entries left out: {@code probability:<point>}, {@code event:<line>},
 *     {@code recurring:<line>} (see {@link #faultIds})
 * @param choices the recorded choices to make again (one actor id or {@code @clock} per choice), or null to let
 *     the strategy choose
 * @param lenient replay {@code choices} leniently: skip those that are impossible, then always run the first
 *     runnable actor (a shrunk trace); strict replay fails at the first impossible choice
 */
public record RunRecipe(String scenarioFile, String scenarioSource, long seed, Variant variantOverride,
    StrategySpec strategy, long durationOverrideNanos, boolean faultsDisabled, List<String> droppedFaults,
    List<String> choices, boolean lenient) {

  public RunRecipe {
    droppedFaults = droppedFaults == null ? List.of() : List.copyOf(droppedFaults);
    choices = choices == null ? null : List.copyOf(choices);
    if (strategy == null) strategy = StrategySpec.RANDOM;
  }

  /** A run of a scenario under a seed, chosen by a strategy. */
  public static RunRecipe of(String file, String source, long seed, Variant variant, StrategySpec strategy) {
    return new RunRecipe(file, source, seed, variant, strategy, 0, false, List.of(), null, false);
  }

  public RunRecipe withSeed(long s) {
    return new RunRecipe(scenarioFile, scenarioSource, s, variantOverride, strategy, durationOverrideNanos,
        faultsDisabled, droppedFaults, choices, lenient);
  }

  public RunRecipe withStrategy(StrategySpec s) {
    return new RunRecipe(scenarioFile, scenarioSource, seed, variantOverride, s, durationOverrideNanos,
        faultsDisabled, droppedFaults, choices, lenient);
  }

  public RunRecipe withChoices(List<String> c, boolean lenientReplay) {
    return new RunRecipe(scenarioFile, scenarioSource, seed, variantOverride, strategy, durationOverrideNanos,
        faultsDisabled, droppedFaults, c, lenientReplay);
  }

  public RunRecipe withFaults(boolean disabled, List<String> dropped) {
    return new RunRecipe(scenarioFile, scenarioSource, seed, variantOverride, strategy, durationOverrideNanos,
        disabled, dropped, choices, lenient);
  }

  /** The scenario this recipe runs, with its overrides applied. */
  public Scenario scenario() {
    Scenario s = ScenarioLoader.parse(scenarioFile, scenarioSource).withVariant(variantOverride);
    if (durationOverrideNanos > 0) s = s.withDuration(durationOverrideNanos);
    if (faultsDisabled || !droppedFaults.isEmpty()) s = withFaults(s, keep(s.faults()));
    return s;
  }

  private FaultPlan keep(FaultPlan plan) {
    Set<String> drop = Set.copyOf(droppedFaults);
    Map<String, Double> probabilities = new LinkedHashMap<>();
    if (!faultsDisabled) {
      plan.probabilities().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .filter(e -> !drop.contains("probability:" + e.getKey()))
          .forEach(e -> probabilities.put(e.getKey(), e.getValue()));
    }
    List<FaultPlan.Event> events = new ArrayList<>();
    for (FaultPlan.Event e : plan.events()) {
      if (!drop.contains("event:" + e.line())) events.add(e);
    }
    List<FaultPlan.Recurring> recurring = new ArrayList<>();
    for (FaultPlan.Recurring r : plan.recurring()) {
      if (!drop.contains("recurring:" + r.line())) recurring.add(r);
    }
    return new FaultPlan(probabilities, events, recurring);
  }

  /**
   * The ids of a fault plan's entries, in a stable order: {@code probability:<point>} for each fault point,
   * {@code event:<line>} and {@code recurring:<line>} for hot-plug entries (by their line in the scenario).
   */
  public static List<String> faultIds(FaultPlan plan) {
    List<String> ids = new ArrayList<>();
    plan.probabilities().keySet().stream().sorted().forEach(p -> ids.add("probability:" + p));
    for (FaultPlan.Event e : plan.events()) ids.add("event:" + e.line());
    for (FaultPlan.Recurring r : plan.recurring()) ids.add("recurring:" + r.line());
    return ids;
  }

  /** The same scenario with another fault plan. */
  public static Scenario withFaults(Scenario s, FaultPlan plan) {
    return new Scenario(s.file(), s.name(), s.description(), s.durationNanos(), s.machine(), s.kernel(), s.devices(),
        s.drivers(), plan, s.workload(), s.source(), s.domains());
  }

  /** The same scenario with other kernel tunables. */
  public static Scenario withKernel(Scenario s, KernelConfig kernel) {
    return new Scenario(s.file(), s.name(), s.description(), s.durationNanos(), s.machine(), kernel, s.devices(),
        s.drivers(), s.faults(), s.workload(), s.source(), s.domains());
  }

  /** The recipe a trace file carries: its scenario, seed, overrides and recorded choices. */
  public static RunRecipe fromTrace(TraceFile.Contents t) {
    StrategySpec recordedBy;
    try {
      recordedBy = StrategySpec.parse(t.strategy());
    } catch (IllegalArgumentException notOneOfOurs) {
      recordedBy = StrategySpec.RANDOM; // informational only: the choices decide a replay
    }
    return new RunRecipe(t.scenarioFile(), t.scenarioSource(), t.seed(), t.variantOverride(), recordedBy,
        t.durationOverrideNanos(), t.faultsDisabled(), t.droppedFaults(), t.choices(), t.lenient());
  }

  /** A trace file of a run of this recipe: its recorded deliveries become the choices of a later replay. */
  public TraceFile.Contents toTrace(String sha256, List<DeliveryTrace.Delivery> deliveries, boolean lenientReplay) {
    return new TraceFile.Contents(seed, scenarioFile, scenarioSource, variantOverride, strategy.toString(), sha256,
        deliveries, durationOverrideNanos, faultsDisabled, lenientReplay, droppedFaults);
  }

  /** A fresh strategy for one run of this recipe. */
  public SchedulingStrategy schedulingStrategy() {
    if (choices != null) return new ReplayStrategy(choices, !lenient, strategy.steer());
    return strategy.create();
  }

  /**
   * The command line that makes this run again from the scenario file, or null if flags cannot say it (recorded
   * choices, dropped faults, a duration override): then only the trace or report file replays it.
   */
  public String seedCommand() {
    if (choices != null || durationOverrideNanos > 0 || faultsDisabled || !droppedFaults.isEmpty()) return null;
    StringBuilder sb = new StringBuilder("./devemu run ").append(shellQuote(scenarioFile)).append(" --seed ").append(seed);
    if (variantOverride != null) sb.append(" --variant ").append(variantOverride);
    if (!strategy.equals(StrategySpec.RANDOM)) sb.append(" --strategy ").append(strategy);
    return sb.toString();
  }

  /** Quotes a path for a POSIX shell if it needs it. */
  public static String shellQuote(String s) {
    if (s.matches("[A-Za-z0-9_./:=@%+,-]+")) return s;
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
