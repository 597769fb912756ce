package dev.devemu.campaign;

import dev.devemu.kernel.Variant;

/**
 * One run of a campaign: a seed under a variant override ({@code raw} or {@code safe}; null keeps the scenario's
 * own variants). A campaign's result set has exactly one result per key.
 */
public record RunKey(long seed, Variant variant) implements Comparable<RunKey> {
  @Override
  public int compareTo(RunKey o) {
    int c = Long.compare(seed, o.seed);
    if (c != 0) return c;
    // by the word (no override, "null", then raw, then safe): the order plans and results have always had
    return String.valueOf(variant).compareTo(String.valueOf(o.variant));
  }

  @Override
  public String toString() {
    return seed + (variant == null ? "" : "/" + variant);
  }
}
