package dev.devemu.sim;

/**
 * The run's only source of randomness: xoshiro256** seeded through SplitMix64.
 *
 * <p>Written out here rather than taken from {@code java.util} so that the sequence is fixed by this file,
 * not by a JDK version. Sub-generators are derived by label ({@link #fork(String)}), so that one actor
 * drawing more numbers never shifts another actor's stream — which keeps shrunk traces close to the original.
 */
public final class SimRandom {
  private final long seed;
  private long s0, s1, s2, s3;

  public SimRandom(long seed) {
    this.seed = seed;
    long x = seed;
    x += 0x9E3779B97F4A7C15L; s0 = mix(x);
    x += 0x9E3779B97F4A7C15L; s1 = mix(x);
    x += 0x9E3779B97F4A7C15L; s2 = mix(x);
    x += 0x9E3779B97F4A7C15L; s3 = mix(x);
  }

  /** The seed this generator was built from. */
  public long seed() {
    return seed;
  }

  /** An independent generator whose seed depends only on this generator's seed and the label. */
  public SimRandom fork(String label) {
    return new SimRandom(mix(seed ^ fnv1a64(label)));
  }

  public long nextLong() {
    long result = Long.rotateLeft(s1 * 5, 7) * 9;
    long t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = Long.rotateLeft(s3, 45);
    return result;
  }

  /** Uniform in [0, bound), bound &gt; 0, without modulo bias (Lemire's method). */
  public int nextInt(int bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
    long m = (nextLong() >>> 32) * bound;
    long l = m & 0xFFFFFFFFL;
    if (l < bound) {
      long threshold = (-bound & 0xFFFFFFFFL) % bound;
      while (l < threshold) {
        m = (nextLong() >>> 32) * bound;
        l = m & 0xFFFFFFFFL;
      }
    }
    return (int) (m >>> 32);
  }

  /** Uniform in [0, bound), bound &gt; 0. */
  public long nextLong(long bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
    long r = nextLong() >>> 1;
    long m = bound - 1;
    if ((bound & m) == 0) return r & m;
    for (long u = r; u - (r = u % bound) + m < 0; u = nextLong() >>> 1) { }
    return r;
  }

  /** Uniform in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  public boolean nextBoolean(double probability) {
    return nextDouble() < probability;
  }

  /**
   * Exponentially distributed with the given mean (inter-arrival times of a Poisson process). StrictMath, not
   * Math: Math.log may differ in the last bit between JVMs and CPUs, and one bit moves a timer.
   */
  public double nextExponential(double mean) {
    return -mean * StrictMath.log(1.0 - nextDouble());
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static long fnv1a64(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
