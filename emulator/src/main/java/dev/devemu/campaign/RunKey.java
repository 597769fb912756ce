package dev.devemu.campaign;

/**
 * One run of a campaign: a seed under a variant override ({@code raw} or {@code safe}; null keeps the scenario's
 * own variants). A campaign's result set has exactly one result per key.
 */
public record RunKey(long seed, String variant) implements Comparable<RunKey> {
  public RunKey {
    // "raw" and "safe" are held by every key of a campaign: one copy each, not one per key read off the wire
    if (variant != null) variant = variant.intern();
  }

  @Override
  public int compareTo(RunKey o) {
    int c = Long.compare(seed, o.seed);
    if (c != 0) return c;
    return String.valueOf(variant).compareTo(String.valueOf(o.variant));
  }

  @Override
  public String toString() {
    return seed + (variant == null ? "" : "/" + variant);
  }
}
