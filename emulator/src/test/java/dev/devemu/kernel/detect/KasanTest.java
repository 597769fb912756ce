package dev.devemu.kernel.detect;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.driver.api.Mem;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.testbed.KernelBench;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** KASAN: use-after-free, double free and out-of-bounds (CPU and DMA), caught at the access, with both stamps. */
class KasanTest extends DetectorTestBase {
  /** One task on CPU 0 running {@code program(struct)} inside the marked function bench_fn. */
  KernelBench.Findings oneTask(Function<BenchData, Op<?>> program) {
    return KernelBench.cpus(1).tasks(w -> {
      BenchData d = new BenchData();
      return List.of(w.task("bench", 0, Op.fn("bench_fn", () -> Mem.kzalloc(d).then(program.apply(d)))));
    }).run(sim, 1);
  }

  @Test
  void useAfterFreeFiresAtTheReadWithAllocatedAndFreedBy() {
    KernelBench.Findings f = oneTask(d -> Mem.write(d.count, 1L).then(Mem.kfree(d)).then(Mem.read(d.flags)));
    Oops o = f.first("kasan");
    assertEquals("BUG: KASAN: slab-use-after-free in bench_fn", o.title());
    String text = o.format();
    assertTrue(text.startsWith(Oops.SEPARATOR + "\n"), text);
    assertTrue(text.matches("(?s).*\nRead of size 8 at addr [0-9a-f]{16} by task bench/\\d+\n.*"), text);
    assertTrue(text.matches("(?s).*\nAllocated by task \\d+ on cpu 0 at 0\\.\\d{6}s:\n bench_fn\n.*"), text);
    assertTrue(text.matches("(?s).*\nFreed by task \\d+ on cpu 0 at 0\\.\\d{6}s:\n bench_fn\n.*"), text);
    assertTrue(text.contains("The buggy address is located 8 bytes inside of\n freed 32-byte region ["), text);
  }

  @Test
  void readingBeforeTheFreeIsQuiet() {
    assertTrue(oneTask(d -> Mem.write(d.count, 1L).then(Mem.read(d.flags)).then(Mem.kfree(d))).quiet());
  }

  @Test
  void doubleFreeFiresAndASingleFreeIsQuiet() {
    Oops o = oneTask(d -> Mem.kfree(d).then(Mem.kfree(d))).first("kasan");
    assertEquals("BUG: KASAN: double-free in bench_fn", o.title());
    assertTrue(o.body().stream().anyMatch(l -> l.startsWith("Free of addr ")), o.format());
    assertTrue(o.body().stream().anyMatch(l -> l.startsWith("Freed by task ")), o.format());
    assertTrue(oneTask(Mem::kfree).quiet());
  }

  @Test
  void anIndexOnePastTheArrayFiresAndTheLastIndexIsQuiet() {
    Oops o = oneTask(d -> Mem.write(d.slots, 4, 7)).first("kasan");
    assertEquals("BUG: KASAN: slab-out-of-bounds in bench_fn", o.title());
    assertTrue(o.format().contains("Write of size 4 at addr "), o.format());
    assertTrue(o.format().contains("The buggy address is located 0 bytes to the right of\n allocated 32-byte region"),
        o.format());
    assertTrue(oneTask(d -> Mem.write(d.slots, 3, 7)).quiet());
  }

  /** A device writes {@code length} bytes into a 64-byte coherent buffer. */
  KernelBench.Findings dmaInto64Bytes(int length) {
    return KernelBench.cpus(1).dmaDevice().duration("10ms").tasks(w -> {
      Dma.Mapping[] m = new Dma.Mapping[1];
      return List.of(w.task("bench", 0, Op.fn("bench_rx", () -> Op.step("dma_alloc_coherent", x -> {
        m[0] = Dma.of(x.kernel()).allocCoherent(x, 64, "rx buffer");
        return null;
      }).then(v -> w.dma(m[0].iova(), length)))));
    }).run(sim, 1);
  }

  @Test
  void dmaOfMoreBytesThanTheBufferHoldsFiresAtTheTransfer() {
    Oops o = dmaInto64Bytes(65).first("kasan");
    assertEquals("BUG: KASAN: out-of-bounds in dma_write by " + KernelBench.World.DMA_SLOT, o.title());
    assertTrue(o.format().contains("DMA write of size 65 at addr "), o.format());
    assertTrue(o.format().contains("Allocated by task "), o.format());
  }

  @Test
  void oneDmaUseAfterFreeUnderTwentySeedsHasOneSignature() {
    // the device's transfer tag differs per seed (as a per-transfer counter does); the bug is the same
    java.util.Set<String> signatures = new java.util.TreeSet<>();
    for (long seed = 1; seed <= 20; seed++) {
      long tag = 300 + seed * 7;
      KernelBench.Findings f = KernelBench.cpus(2).dmaDevice().duration("10ms").tasks(w -> {
        Dma.Mapping[] m = new Dma.Mapping[1];
        return List.of(w.task("bench", 0, Op.fn("bench_rx", () -> Op.step("dma_alloc_coherent", x -> {
          m[0] = Dma.of(x.kernel()).allocCoherent(x, 64, "rx buffer");
          return null;
        }).then(v -> Op.step("dma_free_coherent", x -> {
          Dma.of(x.kernel()).unmap(x, m[0]);
          return null;
        })).then(v -> Op.defer(() -> w.dma(m[0].iova(), 16, tag))))));
      }).run(sim, seed);
      Oops o = f.first("kasan");
      assertNotNull(o, "seed " + seed + ": no report");
      signatures.add(o.signature());
    }
    assertEquals(java.util.Set.of("kasan:dma-use-after-free:dma_write:rx buffer"), signatures);
  }

  @Test
  void dmaOfExactlyTheBufferIsQuiet() {
    assertTrue(dmaInto64Bytes(64).quiet());
  }
}
