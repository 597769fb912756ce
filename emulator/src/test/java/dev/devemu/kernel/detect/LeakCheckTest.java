package dev.devemu.kernel.detect;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.datasheet.SamplePcieDatasheet;
import dev.devemu.driver.api.pci.RawPciDriver;
import dev.devemu.hw.device.pcie.SamplePcieDevice;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.kernel.pci.PciCore;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.spec.DmaDirection;
import dev.devemu.testbed.KernelBench;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leak after remove: what remove left behind (regions, DMA mappings) once it returned. */
class LeakCheckTest extends DetectorTestBase {
  /** A raw driver that requests BAR0's region and maps a DMA buffer in probe; remove may forget either. */
  static RawPciDriver driver(boolean releasesRegion, boolean unmapsDma) {
    Dma.Mapping[] mapping = new Dma.Mapping[1];
    return new RawPciDriver() {
      @Override
      public String name() {
        return "leakdrv";
      }

      @Override
      public List<PciDeviceId> idTable() {
        return List.of(PciDeviceId.of(SamplePcieDatasheet.VENDOR, SamplePcieDatasheet.DEVICE));
      }

      @Override
      public Op<Integer> probe(PciFunction pdev, PciDeviceId id) {
        return PciCore.enableDevice(pdev).then(rc -> PciCore.requestRegion(pdev, 0, "leakdrv"))
            .then(rc -> Op.step("dma_map_single", x -> {
              Allocation buf = KernelMemory.of(x.kernel()).allocate(x, 256, "rx buffer", Allocation.Kind.DMA_COHERENT);
              buf.markManaged(); // the buffer itself is devm-managed; only the mapping is the driver's to undo
              mapping[0] = Dma.of(x.kernel()).map(x, buf, 0, 256, DmaDirection.FROM_DEVICE);
              return 0;
            }));
      }

      @Override
      public Op<Void> remove(PciFunction pdev) {
        Op<Void> unmap = Op.step("dma_unmap_single", x -> {
          if (unmapsDma) Dma.of(x.kernel()).unmap(x, mapping[0]);
          return null;
        });
        return unmap.then(releasesRegion ? PciCore.releaseRegion(pdev, 0) : Op.done())
            .then(PciCore.disableDevice(pdev));
      }
    };
  }

  KernelBench.Findings unplugWith(RawPciDriver d) {
    return KernelBench.cpus(2).duration("20ms")
        .device("{ type = sample-pcie, slot = \"0000:00:02.0\", interrupt-rate = 1 }")
        .faults("events = [ { at = 5ms, action = unplug, slot = \"0000:00:02.0\" } ]")
        .pciDriver(d).run(sim, 1);
  }

  @Test
  void aRegionRemoveForgotFires() {
    Oops o = unplugWith(driver(false, true)).first("leak");
    assertEquals("BUG: leakdrv: resources leaked after leakdrv_remove", o.title());
    assertTrue(o.body().stream().anyMatch(l -> l.startsWith("still held: region 0000:00:02.0 BAR0 (leakdrv)")),
        o.format());
    assertTrue(o.signature().startsWith("leak:leakdrv:region"), o.signature());
  }

  @Test
  void aDmaMappingRemoveForgotFires() {
    Oops o = unplugWith(driver(true, false)).first("leak");
    assertTrue(o.body().contains("DMA-API: leakdrv 0000:00:02.0: device driver has pending DMA allocations while "
        + "released from device [count=1]"), o.format());
  }

  @Test
  void releasingEverythingIsQuiet() {
    assertTrue(unplugWith(driver(true, true)).quiet());
  }
}
