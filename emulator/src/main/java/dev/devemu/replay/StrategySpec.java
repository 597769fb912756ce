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
 * @param kind {@code random} or {@code pct}
 * @param depth PCT's d (0 for random)
 * @param k PCT's k, or 0 while unresolved (0 for random)
 * @param swarm each seed draws its own fault plan from the scenario's
 */
public record StrategySpec(String kind, int depth, long k, boolean swarm) {
  public static final int DEFAULT_PCT_DEPTH = 3;
  public static final StrategySpec RANDOM = new StrategySpec("random", 0, 0);
  /** The suffix that turns swarm testing of the fault plan on. */
  public static final String SWARM_SUFFIX = "+swarm";

  public StrategySpec(String kind, int depth, long k) {
    this(kind, depth, k, false);
  }

  /**
   * Parses {@code random}, {@code pct}, {@code pct:D} or {@code pct:D:K}, each optionally followed by
   * {@code +swarm}.
   *
   * @throws IllegalArgumentException with a message fit for the user
   */
  public static StrategySpec parse(String text) {
    if (text != null && text.endsWith(SWARM_SUFFIX)) {
      StrategySpec base = parse(text.substring(0, text.length() - SWARM_SUFFIX.length()));
      if (base.swarm()) throw new IllegalArgumentException("strategy \"" + text + "\": +swarm given twice");
      return base.withSwarm(true);
    }
    if (text == null || text.equals("random")) return RANDOM;
    String[] parts = text.split(":", -1);
    if (!parts[0].equals("pct") || parts.length > 3) {
      throw new IllegalArgumentException("unknown strategy \"" + text + "\" (use random or pct[:DEPTH[:K]], optionally +swarm)");
    }
    int depth = DEFAULT_PCT_DEPTH;
    long k = 0;
    try {
      if (parts.length >= 2) depth = Integer.parseInt(parts[1]);
      if (parts.length == 3) k = Long.parseLong(parts[2]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("strategy \"" + text + "\": DEPTH and K must be integers");
    }
    if (depth < 1 || depth > 64) throw new IllegalArgumentException("strategy \"" + text + "\": DEPTH must be 1..64");
    if (parts.length == 3 && k < 1) throw new IllegalArgumentException("strategy \"" + text + "\": K must be positive");
    return new StrategySpec("pct", depth, k);
  }

  public boolean isPct() {
    return kind.equals("pct");
  }

  /** True if it can build a strategy: random, or PCT with its k. */
  public boolean resolved() {
    return !isPct() || k > 0;
  }

  public StrategySpec withK(long measured) {
    return new StrategySpec(kind, depth, Math.max(1, measured), swarm);
  }

  public StrategySpec withSwarm(boolean on) {
    return new StrategySpec(kind, depth, k, on);
  }

  /** A fresh strategy for one run. */
  public SchedulingStrategy create() {
    if (!isPct()) return new RandomWalkStrategy();
    if (k <= 0) throw new IllegalStateException("PCT's k was not measured for " + this);
    return new PctStrategy(depth, k);
  }

  /** The spec as the command line takes it: {@code random}, {@code pct:3}, {@code pct:3:2417+swarm}. */
  @Override
  public String toString() {
    String base = !isPct() ? kind : k > 0 ? "pct:" + depth + ":" + k : "pct:" + depth;
    return swarm ? base + SWARM_SUFFIX : base;
  }
}
