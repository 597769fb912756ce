package dev.devemu.kernel.detect;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.driver.api.Mem;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Op;
import dev.devemu.testbed.KernelBench;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The NULL-pointer oops: a driver that ignores a failed kzalloc and writes through the pointer. */
class NullDerefTest extends DetectorTestBase {
  KernelBench.Findings writeAfterKzalloc(double failure) {
    return KernelBench.cpus(1).faults("probability { kmalloc = " + failure + " }").tasks(w -> {
      BenchData d = new BenchData();
      return List.of(w.task("bench", 0, Op.fn("bench_probe", () -> Mem.kzalloc(d).then(Mem.write(d.flags, 1L)))));
    }).run(sim, 1);
  }

  @Test
  void writingThroughAFailedAllocationFires() {
    Oops o = writeAfterKzalloc(1.0).first("null-deref");
    assertEquals("BUG: kernel NULL pointer dereference, address: 0000000000000008", o.title());
    assertTrue(o.body().contains("#PF: supervisor write access in kernel mode"), o.format());
    assertTrue(o.body().contains("#PF: error_code(0x0002) - not-present page"), o.format());
    assertTrue(o.body().stream().anyMatch(l -> l.startsWith("RIP: 0010:bench_probe")), o.format());
  }

  @Test
  void writingThroughAGoodAllocationIsQuiet() {
    assertTrue(writeAfterKzalloc(0.0).quiet());
  }
}
