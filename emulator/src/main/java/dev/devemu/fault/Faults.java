package dev.devemu.fault;

import dev.devemu.sim.SimRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fault injection at named points of the kernel ({@code kmalloc}, {@code pci_enable_device},
 * {@code dma_transfer}, …), in the spirit of the kernel's fault-injection framework
 * ({@code failslab}, {@code fail_function}). Each point has a probability; decisions come from the run's own
 * random stream, so a seed replays the same faults.
 */
public final class Faults {
  /** One fault that was injected: where, when and into whom. */
  public record Injected(String point, long timeNanos, String where) {}

  private final SimRandom random;
  private final java.util.function.LongSupplier now;
  private final java.util.function.Consumer<String> log;
  private final Map<String, Double> probability = new HashMap<>();
  private final Map<String, Integer> forced = new HashMap<>();
  private final List<Injected> injected = new ArrayList<>();
  private boolean enabled = true;
  private dev.devemu.sim.SimRun steering;

  /**
   * @param random the run's stream for fault decisions
   * @param now the virtual time, for the record of what was injected
   * @param log where an injection is announced (the kernel log)
   */
  public Faults(SimRandom random, java.util.function.LongSupplier now, java.util.function.Consumer<String> log) {
    this.random = random;
    this.now = now;
    this.log = log;
  }

  /**
   * Lets the strategy of {@code run} decide the probabilistic points from now on, if it steers faults
   * ({@code +steer}); otherwise nothing changes and decisions keep coming from this object's stream. A point with
   * probability 1 always fails either way: there is nothing to decide.
   */
  public void steerWith(dev.devemu.sim.SimRun run) {
    steering = run.steersFaults() ? run : null;
  }

  /** Sets the probability that {@code point} fails; 0 disables it. */
  public void set(String point, double p) {
    if (p < 0 || p > 1) throw new IllegalArgumentException("probability of " + point + " must be in [0, 1]: " + p);
    if (p == 0) probability.remove(point);
    else probability.put(point, p);
  }

  /** Turns every point off (the shrinker uses it to drop faults). */
  public void enabled(boolean on) {
    enabled = on;
  }

  /**
   * Makes the next {@code count} calls at {@code point} fail, whatever its probability (a fault plan's
   * {@code action = fail}, like fail_function with {@code times}).
   */
  public void failNext(String point, int count) {
    if (count <= 0) throw new IllegalArgumentException("count of " + point + " must be positive: " + count);
    forced.merge(point, count, Integer::sum);
  }

  /** Asks whether this call at {@code point} fails now; records it if so. */
  public boolean inject(String point, String where) {
    if (!enabled) return false;
    Integer left = forced.isEmpty() ? null : forced.get(point);
    if (left != null) {
      if (left <= 1) forced.remove(point);
      else forced.put(point, left - 1);
    } else {
      Double p = probability.get(point);
      if (p == null) return false;
      boolean fail = steering != null && p < 1 ? steering.chooseFault(point, where, p) : random.nextBoolean(p);
      if (!fail) return false;
    }
    injected.add(new Injected(point, now.getAsLong(), where));
    log.accept("FAULT_INJECTION: forcing a failure at " + point + " (" + where + ")");
    return true;
  }

  public boolean configured(String point) {
    return probability.containsKey(point);
  }

  public List<Injected> injected() {
    return List.copyOf(injected);
  }
}
