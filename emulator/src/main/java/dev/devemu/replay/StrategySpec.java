package dev.devemu.replay;

import dev.devemu.sim.PctStrategy;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.SchedulingStrategy;

/**
 * A scheduling strategy as the command line names it: {@code random}, or {@code pct[:D[:K]]} — PCT with bug depth
 * D (default 3) and K, the number of decisions a run makes. K is measured, never guessed: a spec without it is
 * <em>unresolved</em> and {@link Sessions#resolve} measures it from a first run before anything uses it. A
 * resolved spec ({@code pct:3:2417}) is what reports and replay commands carry, so that they replay exactly.
 *
 * <p>A {@code +swarm} suffix ({@code random+swarm}, {@code pct:3+swarm}) adds swarm testing of the fault plan:
 * each seed runs its own variant of the scenario's faults ({@link dev.devemu.scenario.SwarmFaultPlan}), drawn from
 * the run's generator, so the spec — which reports and traces carry — is all a replay needs to draw it again.
 *
 * <p>A {@code +steer} suffix ({@code random+steer}, {@code pct:3+steer}) makes the strategy decide the run's
 * probabilistic fault points, as Coyote's scheduler controls its random booleans: every decision is a choice of
 * the strategy, recorded in the trace ({@link dev.devemu.sim.FaultChoices}), so replay makes it again and the
 * shrinker can drop it. Random draws each with the plan's probability; PCT does too and adds {@code max(1, D-1)}
 * fault steps, decisions chosen uniformly among the F a run makes that fail whatever their draw ({@link PctStrategy}). F is measured like K; a resolved spec
 * carries it: {@code pct:3:2417+steer:40}. Both suffixes may be given, in either order.
 *
 * @param kind {@code random} or {@code pct}
 * @param depth PCT's d (0 for random)
 * @param k PCT's k, or 0 while unresolved (0 for random)
 * @param swarm each seed draws its own fault plan from the scenario's
 * @param steer the strategy decides the fault points
 * @param f PCT's F under {@code +steer} (fault decisions per run), or 0 while unresolved (0 otherwise)
 */
public record StrategySpec(String kind, int depth, long k, boolean swarm, boolean steer, long f) {
  public static final int DEFAULT_PCT_DEPTH = 3;
  public static final StrategySpec RANDOM = new StrategySpec("random", 0, 0);
  /** The suffix that turns swarm testing of the fault plan on. */
  public static final String SWARM_SUFFIX = "+swarm";
  /** The suffix that lets the strategy decide the fault points. */
  public static final String STEER_SUFFIX = "+steer";

  public StrategySpec(String kind, int depth, long k) {
    this(kind, depth, k, false, false, 0);
  }

  public StrategySpec(String kind, int depth, long k, boolean swarm) {
    this(kind, depth, k, swarm, false, 0);
  }

  /**
   * Parses {@code random}, {@code pct}, {@code pct:D} or {@code pct:D:K}, each optionally followed by
   * {@code +swarm} and {@code +steer} (for PCT, {@code +steer:F}).
   *
   * @throws IllegalArgumentException with a message fit for the user
   */
  public static StrategySpec parse(String text) {
    if (text != null && text.indexOf('+') >= 0) {
      String[] parts = text.split("\\+", -1);
      StrategySpec spec = parseBase(text, parts[0]);
      for (int i = 1; i < parts.length; i++) {
        String suffix = parts[i];
        if (suffix.equals("swarm")) {
          if (spec.swarm()) throw new IllegalArgumentException("strategy \"" + text + "\": +swarm given twice");
          spec = spec.withSwarm(true);
        } else if (suffix.equals("steer") || suffix.startsWith("steer:")) {
          if (spec.steer()) throw new IllegalArgumentException("strategy \"" + text + "\": +steer given twice");
          long f = 0;
          if (suffix.startsWith("steer:")) {
            if (!spec.isPct()) throw new IllegalArgumentException("strategy \"" + text + "\": only PCT takes +steer:F");
            try {
              f = Long.parseLong(suffix.substring("steer:".length()));
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("strategy \"" + text + "\": F in +steer:F must be an integer");
            }
            if (f < 1) throw new IllegalArgumentException("strategy \"" + text + "\": F in +steer:F must be positive");
          }
          spec = new StrategySpec(spec.kind, spec.depth, spec.k, spec.swarm, true, f);
        } else {
          throw new IllegalArgumentException("strategy \"" + text + "\": unknown suffix +" + suffix
              + " (use +swarm or +steer)");
        }
      }
      return spec;
    }
    return parseBase(text, text);
  }

  private static StrategySpec parseBase(String whole, String text) {
    if (text == null || text.equals("random")) return RANDOM;
    String[] parts = text.split(":", -1);
    if (!parts[0].equals("pct") || parts.length > 3) {
      throw new IllegalArgumentException("unknown strategy \"" + whole
          + "\" (use random or pct[:DEPTH[:K]], optionally +swarm and +steer)");
    }
    int depth = DEFAULT_PCT_DEPTH;
    long k = 0;
    try {
      if (parts.length >= 2) depth = Integer.parseInt(parts[1]);
      if (parts.length == 3) k = Long.parseLong(parts[2]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("strategy \"" + whole + "\": DEPTH and K must be integers");
    }
    if (depth < 1 || depth > 64) throw new IllegalArgumentException("strategy \"" + whole + "\": DEPTH must be 1..64");
    if (parts.length == 3 && k < 1) throw new IllegalArgumentException("strategy \"" + whole + "\": K must be positive");
    return new StrategySpec("pct", depth, k);
  }

  public boolean isPct() {
    return kind.equals("pct");
  }

  /** True if it can build a strategy: random, or PCT with its k (and its F under {@code +steer}). */
  public boolean resolved() {
    return !isPct() || (k > 0 && (!steer || f > 0));
  }

  public StrategySpec withK(long measured) {
    return new StrategySpec(kind, depth, Math.max(1, measured), swarm, steer, f);
  }

  /** PCT's F, fault decisions per run, as measured (at least 1). */
  public StrategySpec withF(long measured) {
    return new StrategySpec(kind, depth, k, swarm, steer, Math.max(1, measured));
  }

  public StrategySpec withSwarm(boolean on) {
    return new StrategySpec(kind, depth, k, on, steer, f);
  }

  public StrategySpec withSteer(boolean on) {
    return new StrategySpec(kind, depth, k, swarm, on, on ? f : 0);
  }

  /** A fresh strategy for one run. */
  public SchedulingStrategy create() {
    if (!isPct()) return new RandomWalkStrategy(steer);
    if (k <= 0) throw new IllegalStateException("PCT's k was not measured for " + this);
    if (!steer) return new PctStrategy(depth, k);
    if (f <= 0) throw new IllegalStateException("PCT's F was not measured for " + this);
    return PctStrategy.steeringFaults(depth, k, f);
  }

  /**
   * The spec as the command line takes it: {@code random}, {@code pct:3}, {@code pct:3:2417+swarm},
   * {@code pct:3:2417+steer:40}.
   */
  @Override
  public String toString() {
    String base = !isPct() ? kind : k > 0 ? "pct:" + depth + ":" + k : "pct:" + depth;
    if (swarm) base += SWARM_SUFFIX;
    if (steer) base += STEER_SUFFIX + (isPct() && f > 0 ? ":" + f : "");
    return base;
  }
}
