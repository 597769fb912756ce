package dev.devemu.driver.api;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.datasheet.SamplePcieDatasheet;
import dev.devemu.driver.api.pci.RawPciDriver;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.pci.IoMem;
import dev.devemu.kernel.pci.PciCore;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.spec.DmaDirection;
import dev.devemu.testbed.KernelBench;
import dev.devemu.testbed.Sim;
import dev.devemu.uapi.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Issue 17.6: the raw API's DMA, sleeping and polling helpers, as a C driver would use them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RawHelpersTest {
  static final String DEVICE = "{ type = sample-pcie, slot = \"0000:00:02.0\", interrupt-rate = 1 }";
  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("RawHelpersTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  /** A raw driver whose probe maps BAR0 and then runs {@code tail}. */
  static RawPciDriver driver(BiFunction<PciFunction, IoMem, Op<?>> tail) {
    return new RawPciDriver() {
      @Override
      public String name() {
        return "helperdrv";
      }

      @Override
      public List<PciDeviceId> idTable() {
        return List.of(PciDeviceId.of(SamplePcieDatasheet.VENDOR, SamplePcieDatasheet.DEVICE));
      }

      @Override
      public Op<Integer> probe(PciFunction pdev, PciDeviceId id) {
        return PciCore.enableDevice(pdev).then(rc -> PciCore.requestRegion(pdev, 0, "helperdrv"))
            .then(rc -> PciCore.iomap(pdev, 0)).then(b -> tail.apply(pdev, b)).then(Op.rc(0));
      }

      @Override
      public Op<Void> remove(PciFunction pdev) {
        return Op.done();
      }
    };
  }

  KernelBench.Findings probe(BiFunction<PciFunction, IoMem, Op<?>> tail) {
    return KernelBench.cpus(2).duration("20ms").device(DEVICE).pciDriver(driver(tail)).run(sim, 1);
  }

  static Op<Long> now() {
    return Op.step("ktime_get", x -> x.now());
  }

  @Test
  void readlPollTimeoutSeesAPostedWriteItFlushesAndTimesOutOnAConditionThatNeverHolds() {
    List<Object> seen = new ArrayList<>();
    KernelBench.Findings f = probe((pdev, bar) -> PciCore.iowrite32(bar, SamplePcieDatasheet.REG_CONTROL, 1)
        // the write is posted; the poll's first read reaches the device after it, so it sees it
        .then(IoPoll.readlPollTimeout(bar, SamplePcieDatasheet.REG_STATUS, v -> (v & 1) == 1, 10, 1000))
        .then(p -> {
          seen.add(p);
          return PciCore.iowrite32(bar, SamplePcieDatasheet.REG_CONTROL, 0);
        })
        .then(now())
        .then(t0 -> IoPoll.readlPollTimeout(bar, SamplePcieDatasheet.REG_STATUS, v -> v == 1, 10, 100)
            .then(p -> now().map(t1 -> {
              seen.add(p);
              seen.add(t1 - t0);
              return null;
            }))));
    assertTrue(f.quiet(), f::toString);
    assertEquals(3, seen.size(), "the probe did not get through: " + seen + " " + f);
    assertEquals(new IoPoll.Polled(0, 1), seen.get(0));
    assertEquals(new IoPoll.Polled(-Errno.ETIMEDOUT, 0), seen.get(1));
    long took = (Long) seen.get(2);
    assertTrue(took >= 100_000 && took < 1_000_000, "a 100 us poll took " + took + " ns");
  }

  @Test
  void msleepAndUsleepRangeTakeTheirVirtualTime() {
    List<Long> took = new ArrayList<>();
    KernelBench.Findings f = probe((pdev, bar) -> now()
        .then(t0 -> Delay.msleep(2).then(now()).then(t1 -> {
          took.add(t1 - t0);
          return Delay.usleepRange(50, 80).then(now()).map(t2 -> {
            took.add(t2 - t1);
            return null;
          });
        })));
    assertTrue(f.quiet(), f::toString);
    assertEquals(2, took.size(), took.toString());
    assertTrue(took.get(0) >= 2_000_000, "msleep(2) took " + took.get(0) + " ns");
    assertTrue(took.get(1) >= 50_000 && took.get(1) < 1_000_000, "usleep_range(50, 80) took " + took.get(1));
  }

  @Test
  void dmaHelpersMapAndFreeAndTheKernelSeesADeviceWriteIntoAFreedBuffer() {
    KernelBench.Findings quiet = KernelBench.cpus(1).dmaDevice().duration("10ms").tasks(w -> {
      Allocation[] buf = new Allocation[1];
      return List.of(w.task("bench", 0, Op.fn("bench_rx", () -> Mem.kmalloc(256, "rx buffer")
          .then(b -> {
            buf[0] = b;
            return DmaApi.mapSingle(b, 256, DmaDirection.FROM_DEVICE);
          })
          .then(m -> w.dma(m.iova(), 256).then(DmaApi.unmapSingle(m)))
          .then(Op.defer(() -> Mem.kfree(buf[0]))))));
    }).run(sim, 1);
    assertTrue(quiet.quiet(), quiet::toString);

    KernelBench.Findings f = KernelBench.cpus(1).dmaDevice().duration("10ms").tasks(w -> {
      Dma.Mapping[] m = new Dma.Mapping[1];
      return List.of(w.task("bench", 0, Op.fn("bench_rx", () -> DmaApi.allocCoherent(64, "rx ring")
          .then(ring -> {
            m[0] = ring;
            return DmaApi.freeCoherent(ring);
          })
          .then(Op.defer(() -> w.dma(m[0].iova(), 16))))));
    }).run(sim, 1);
    Oops o = f.first("kasan");
    assertNotNull(o, f::toString);
    assertEquals("kasan:dma-use-after-free:dma_write:rx ring", o.signature());
  }
}
