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
 * @param kind {@code random} or {@code pct}
 * @param depth PCT's d (0 for random)
 * @param k PCT's k, or 0 while unresolved (0 for random)
 */
public record StrategySpec(String kind, int depth, long k) {
  public static final int DEFAULT_PCT_DEPTH = 3;
  public static final StrategySpec RANDOM = new StrategySpec("random", 0, 0);

  /**
   * Parses {@code random}, {@code pct}, {@code pct:D} or {@code pct:D:K}.
   *
   * @throws IllegalArgumentException with a message fit for the user
   */
  public static StrategySpec parse(String text) {
    if (text == null || text.equals("random")) return RANDOM;
    String[] parts = text.split(":", -1);
    if (!parts[0].equals("pct") || parts.length > 3) {
      throw new IllegalArgumentException("unknown strategy \"" + text + "\" (use random or pct[:DEPTH[:K]])");
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
    return new StrategySpec(kind, depth, Math.max(1, measured));
  }

  /** A fresh strategy for one run. */
  public SchedulingStrategy create() {
    if (!isPct()) return new RandomWalkStrategy();
    if (k <= 0) throw new IllegalStateException("PCT's k was not measured for " + this);
    return new PctStrategy(depth, k);
  }

  /** The spec as the command line takes it: {@code random}, {@code pct:3}, {@code pct:3:2417}. */
  @Override
  public String toString() {
    if (!isPct()) return kind;
    return k > 0 ? "pct:" + depth + ":" + k : "pct:" + depth;
  }
}
