package dev.devemu.kernel.dma;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.spec.DmaDirection;
import dev.devemu.testbed.KernelBench;
import dev.devemu.testbed.Sim;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The DMA API's bookkeeping, as dma-debug keeps it: mappings may share a bus address or overlap. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DmaTest {
  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("DmaTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  @Test
  void aBufferMappedTwiceWithoutIommuKeepsBothMappings() {
    List<Object> seen = new ArrayList<>();
    KernelBench.Findings f = KernelBench.cpus(1).tasks(w -> List.of(w.task("bench", 0, Op.step("map twice", x -> {
      Dma dma = Dma.of(x.kernel());
      Allocation buf = KernelMemory.of(x.kernel()).allocate(x, 4096, "rx buffer", Allocation.Kind.KMALLOC);
      Dma.Mapping whole = dma.map(x, buf, 0, 4096, DmaDirection.FROM_DEVICE);
      Dma.Mapping again = dma.map(x, buf, 0, 4096, DmaDirection.FROM_DEVICE);
      Dma.Mapping tail = dma.map(x, buf, 2048, 1024, DmaDirection.FROM_DEVICE);
      seen.add(whole.iova() == again.iova());
      dma.unmap(x, whole);
      seen.add(dma.lookup(again.iova() + 100) == again);   // the other mapping of the same address survives
      seen.add(dma.lookup(tail.iova() + 1023) == tail);    // an overlapping mapping is found inside its range
      dma.unmap(x, tail);
      seen.add(dma.lookup(again.iova() + 3000) == again);  // and the longer one behind it after it goes
      seen.add(dma.liveOwnedBy(x.task().owner()).size());
      return null;
    })))).run(sim, 1);
    assertTrue(f.quiet(), f::toString);
    assertEquals(List.of(true, true, true, true, 1), seen);
  }
}
