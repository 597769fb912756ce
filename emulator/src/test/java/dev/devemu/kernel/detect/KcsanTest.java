package dev.devemu.kernel.detect;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.driver.api.Mem;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.sync.SpinLock;
import dev.devemu.testbed.KernelBench;
import java.util.List;
import org.junit.jupiter.api.Test;

/** KCSAN: two contexts touching the same field, one writing, without a common lock, at the same time. */
class KcsanTest extends DetectorTestBase {
  static final int SEEDS = 10;

  /** Two tasks on two CPUs each bump (or only read) bench_data.count 20 times. */
  KernelBench.Findings bumpers(boolean locked, boolean writes) {
    return KernelBench.cpus(2).duration("10ms").tasks(w -> {
      BenchData d = new BenchData();
      SpinLock lock = new SpinLock("bench.lock");
      Op<Void> once = writes ? Mem.read(d.count).then(c -> Mem.write(d.count, c + 1)) : Mem.read(d.count).map(c -> null);
      Op<Void> guarded = locked ? lock.with(() -> once) : once;
      // the struct is allocated at boot; both bumpers wake 1 ms later, together
      return List.of(w.task("alloc", 0, Mem.kzalloc(d)),
          w.task("bump_a", 0, Op.fn("bump_a", () -> w.kernel().sleep("msleep", 1_000_000L)
              .then(KernelBench.repeat(20, () -> guarded)))),
          w.task("bump_b", 1, Op.fn("bump_b", () -> w.kernel().sleep("msleep", 1_000_000L)
              .then(KernelBench.repeat(20, () -> guarded)))));
    }).seeds(sim, 1, SEEDS);
  }

  @Test
  void unlockedWritesFromTwoCpusFire() {
    KernelBench.Findings f = bumpers(false, true);
    assertTrue(f.runsThatFired("kcsan") > 0, "no data race in " + SEEDS + " seeds");
    Oops o = f.first("kcsan");
    assertEquals("BUG: KCSAN: data-race in bump_a / bump_b", o.title());
    String text = o.format();
    assertTrue(text.startsWith(Oops.SEPARATOR + "\n"), text);
    assertTrue(text.matches("(?s).*\n(read|write) to 0x[0-9a-f]{16} of 8 bytes by task \\d+ on cpu [01]:\n bump_.*"), text);
    assertTrue(text.contains("Reported by Kernel Concurrency Sanitizer on:"), text);
  }

  @Test
  void theSameWritesUnderACommonLockAreQuiet() {
    assertTrue(bumpers(true, true).quiet());
  }

  @Test
  void concurrentReadsAreQuiet() {
    assertTrue(bumpers(false, false).quiet());
  }
}
