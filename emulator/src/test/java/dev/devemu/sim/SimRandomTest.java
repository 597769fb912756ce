package dev.devemu.sim;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SimRandomTest {
  @Test
  void sameSeedSameSequenceAndForksAreIndependentOfDrawOrder() {
    SimRandom a = new SimRandom(42);
    SimRandom b = new SimRandom(42);
    for (int i = 0; i < 1000; i++) assertEquals(a.nextLong(), b.nextLong());
    SimRandom c = new SimRandom(42);
    c.nextLong(); // drawing from the parent must not shift a fork
    assertEquals(new SimRandom(42).fork("cpu0").nextLong(), c.fork("cpu0").nextLong());
    assertNotEquals(new SimRandom(42).fork("cpu0").nextLong(), new SimRandom(42).fork("cpu1").nextLong());
  }

  @Test
  void sequenceIsPinnedSoThatEveryJvmAgrees() {
    // xoshiro256** seeded by SplitMix64: these values are the algorithm's, not the JDK's; if they change,
    // every recorded trace and seed stops replaying.
    SimRandom r = new SimRandom(1);
    long first = r.nextLong();
    long second = r.nextLong();
    SimRandom again = new SimRandom(1);
    assertEquals(first, again.nextLong());
    assertEquals(second, again.nextLong());
    assertEquals(0xb3f2af6d0fc710c5L, first);
  }

  @Test
  void boundsAreRespectedAndRoughlyUniform() {
    SimRandom r = new SimRandom(7);
    int[] counts = new int[10];
    for (int i = 0; i < 100_000; i++) counts[r.nextInt(10)]++;
    for (int c : counts) assertTrue(c > 9_000 && c < 11_000, "bucket count " + c);
    for (int i = 0; i < 10_000; i++) {
      long v = r.nextLong(1000);
      assertTrue(v >= 0 && v < 1000);
      double d = r.nextDouble();
      assertTrue(d >= 0 && d < 1);
    }
    double mean = 0;
    for (int i = 0; i < 100_000; i++) mean += r.nextExponential(5.0);
    assertEquals(5.0, mean / 100_000, 0.1);
    assertThrows(IllegalArgumentException.class, () -> r.nextInt(0));
  }
}
