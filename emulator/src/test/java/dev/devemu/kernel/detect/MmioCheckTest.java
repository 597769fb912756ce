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
import dev.devemu.kernel.pci.IoMem;
import dev.devemu.kernel.pci.PciCore;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.spec.DmaDirection;
import dev.devemu.testbed.KernelBench;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** Bad MMIO: access through an unmapped BAR, and all-ones values from a removed device used as a length. */
class MmioCheckTest extends DetectorTestBase {
  static final String DEVICE = "{ type = sample-pcie, slot = \"0000:00:02.0\", interrupt-rate = 1 }";

  /** A raw test driver whose probe maps BAR0 and whose remove runs {@code remove(pdev, bar0)}. */
  static RawPciDriver driver(BiFunction<PciFunction, IoMem, Op<?>> probeTail,
      BiFunction<PciFunction, IoMem, Op<?>> remove) {
    IoMem[] bar = new IoMem[1];
    return new RawPciDriver() {
      @Override
      public String name() {
        return "mmiodrv";
      }

      @Override
      public List<PciDeviceId> idTable() {
        return List.of(PciDeviceId.of(SamplePcieDatasheet.VENDOR, SamplePcieDatasheet.DEVICE));
      }

      @Override
      public Op<Integer> probe(PciFunction pdev, PciDeviceId id) {
        return PciCore.enableDevice(pdev).then(rc -> PciCore.requestRegion(pdev, 0, "mmiodrv"))
            .then(rc -> PciCore.iomap(pdev, 0)).then(b -> {
              bar[0] = b;
              return probeTail.apply(pdev, b);
            }).then(Op.rc(0));
      }

      @Override
      public Op<Void> remove(PciFunction pdev) {
        return Op.defer(() -> remove.apply(pdev, bar[0])).then(v -> PciCore.iounmap(bar[0]))
            .then(PciCore.releaseRegion(pdev, 0)).then(PciCore.disableDevice(pdev));
      }
    };
  }

  KernelBench.Findings probeThat(BiFunction<PciFunction, IoMem, Op<?>> probeTail) {
    return KernelBench.cpus(1).duration("10ms").device(DEVICE)
        .pciDriver(driver(probeTail, (p, b) -> Op.done())).run(sim, 1);
  }

  @Test
  void readingThroughAnUnmappedBarFires() {
    Oops o = probeThat((p, bar) -> PciCore.iounmap(bar).then(PciCore.ioread32(bar, SamplePcieDatasheet.REG_STATUS))
        .then(v -> PciCore.iomap(p, 0))).first("bad-mmio");
    assertTrue(o.title().startsWith("BUG: unable to handle page fault for address: ffffc9"), o.title());
    assertTrue(o.body().contains("#PF: supervisor read access in kernel mode"), o.format());
    assertTrue(o.body().stream().anyMatch(l -> l.contains("ioread32 after iounmap of BAR0")), o.format());
  }

  @Test
  void readingThroughALiveMappingIsQuiet() {
    assertTrue(probeThat((p, bar) -> PciCore.ioread32(bar, SamplePcieDatasheet.REG_STATUS)).quiet());
  }

  /**
   * After a surprise removal, remove() reads REG_SAMPLES (all ones now) and maps that many bytes of a 64-byte
   * buffer for DMA — unless it checks the value first.
   */
  KernelBench.Findings removeMapsALengthReadFromTheDevice(boolean checks) {
    return KernelBench.cpus(1).duration("20ms").device(DEVICE)
        .faults("events = [ { at = 5ms, action = surprise-unplug, slot = \"0000:00:02.0\" } ]")
        .pciDriver(driver((p, b) -> Op.done(), (p, bar) -> Op.fn("mmiodrv_drain",
            () -> PciCore.ioread32(bar, SamplePcieDatasheet.REG_SAMPLES).then(n -> Op.step("dma_map_single", x -> {
              if (checks && (n == -1 || n > 64)) return null;
              Allocation buf = KernelMemory.of(x.kernel()).allocate(x, 64, "rx buffer", Allocation.Kind.KMALLOC);
              Dma.Mapping m = Dma.of(x.kernel()).map(x, buf, 0, n, DmaDirection.FROM_DEVICE);
              Dma.of(x.kernel()).unmap(x, m);
              KernelMemory.of(x.kernel()).free(x, buf);
              return null;
            }))))).run(sim, 1);
  }

  @Test
  void anAllOnesLengthFromARemovedDeviceFires() {
    Oops o = removeMapsALengthReadFromTheDevice(false).first("bad-mmio");
    assertEquals("BUG: KASAN: slab-out-of-bounds in mmiodrv_drain (length from a removed device)", o.title());
    assertTrue(o.body().stream().anyMatch(l -> l.startsWith("The length came from BAR0+0x18 of 0000:00:02.0, read as "
        + "all ones")), o.format());
  }

  @Test
  void checkingTheValueIsQuiet() {
    assertTrue(removeMapsALengthReadFromTheDevice(true).quiet());
  }
}
