package dev.devemu.kernel.pci;

import dev.devemu.hw.machine.Cpu;
import dev.devemu.hw.pci.PciConfigSpace;
import dev.devemu.hw.pci.PciDeviceActor;
import dev.devemu.kernel.ChainBuildingTrap;
import dev.devemu.kernel.CpuActor;
import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Resources;
import dev.devemu.kernel.detect.Detectors;
import dev.devemu.uapi.Errno;

/**
 * The PCI core's functions as drivers call them, with C semantics: return codes, NULL on failure, nothing
 * stops a caller from ignoring either. Both driver flavours are built on these; the safe API wraps them.
 * Every function is one kernel step; reads of device registers stall the CPU until the device answers.
 */
public final class PciCore {
  private PciCore() {}

  private static Kernel k(Exec x) {
    return x.kernel();
  }

  /** pci_enable_device: turns on memory decoding. Fault point {@code pci_enable_device}. */
  public static Op<Integer> enableDevice(PciFunction pdev) {
    return Op.step("pci_enable_device", x -> {
      if (pdev.disconnected()) return -Errno.ENODEV;
      if (k(x).faults().inject("pci_enable_device", pdev.name())) return -Errno.EIO;
      pdev.enableCount(pdev.enableCount() + 1);
      if (pdev.enableCount() == 1) writeCommand(x, pdev);
      return 0;
    });
  }

  /** pci_disable_device. Disabling a device that is not enabled is the kernel's WARN. */
  public static Op<Void> disableDevice(PciFunction pdev) {
    return Op.step("pci_disable_device", x -> {
      if (pdev.enableCount() <= 0) {
        k(x).report(k(x).bugs().warning(x, pdev + ": disabling already-disabled device", "pci_disable_device"));
        return null;
      }
      pdev.enableCount(pdev.enableCount() - 1);
      if (pdev.enableCount() == 0) {
        pdev.master(false);
        writeCommand(x, pdev);
      }
      return null;
    });
  }

  /** pci_set_master: lets the device start DMA and send MSIs. */
  public static Op<Void> setMaster(PciFunction pdev) {
    return Op.step("pci_set_master", x -> {
      pdev.master(true);
      writeCommand(x, pdev);
      return null;
    });
  }

  private static void writeCommand(Exec x, PciFunction pdev) {
    int cmd = (pdev.isEnabled() ? PciConfigSpace.COMMAND_MEMORY : 0) | (pdev.master() ? PciConfigSpace.COMMAND_MASTER : 0)
        | PciConfigSpace.COMMAND_INTX_DISABLE;
    pdev.device().tell(new PciDeviceActor.MmioWrite(PciDeviceActor.Space.CONFIG, PciConfigSpace.COMMAND, 2, cmd,
        x.cause("config write COMMAND=0x" + Integer.toHexString(cmd))));
  }

  /** pci_request_region: claims BAR {@code bar} for the driver. Fault point {@code pci_request_regions}. */
  public static Op<Integer> requestRegion(PciFunction pdev, int bar, String name) {
    return Op.step("pci_request_region", x -> requestOne(x, pdev, bar, name));
  }

  /** pci_request_regions: claims every BAR. */
  public static Op<Integer> requestRegions(PciFunction pdev, String name) {
    return Op.step("pci_request_regions", x -> {
      for (int bar = 0; bar < 6; bar++) {
        if (pdev.barSize(bar) == 0) continue;
        int rc = requestOne(x, pdev, bar, name);
        if (rc != 0) {
          for (int b = 0; b < bar; b++) k(x).resources().release(pdev.region(b));
          for (int b = 0; b < bar; b++) pdev.region(b, null);
          return rc;
        }
      }
      return 0;
    });
  }

  private static int requestOne(Exec x, PciFunction pdev, int bar, String name) {
    if (bar < 0 || bar > 5 || pdev.barSize(bar) == 0) return -Errno.EINVAL;
    if (k(x).faults().inject("pci_request_regions", pdev.name())) return -Errno.EBUSY;
    if (pdev.region(bar) != null) {
      k(x).printk(pdev + ": BAR " + bar + ": can't reserve [mem 0x" + Long.toHexString(pdev.barAddress(bar)) + "]");
      return -Errno.EBUSY;
    }
    pdev.region(bar, k(x).resources().acquire(x, "region", () -> pdev + " BAR" + bar + " (" + name + ")", false));
    return 0;
  }

  /** pci_release_region. Releasing a region that is not held is the kernel's WARN. */
  public static Op<Void> releaseRegion(PciFunction pdev, int bar) {
    return Op.step("pci_release_region", x -> {
      releaseOne(x, pdev, bar);
      return null;
    });
  }

  /** pci_release_regions. */
  public static Op<Void> releaseRegions(PciFunction pdev) {
    return Op.step("pci_release_regions", x -> {
      for (int bar = 0; bar < 6; bar++) {
        if (pdev.region(bar) != null) releaseOne(x, pdev, bar);
      }
      return null;
    });
  }

  private static void releaseOne(Exec x, PciFunction pdev, int bar) {
    Resources.Handle h = pdev.region(bar);
    if (h == null) {
      k(x).report(k(x).bugs().warning(x, "Trying to free nonexistent resource <" + pdev + " BAR" + bar + ">",
          "pci_release_region"));
      return;
    }
    k(x).resources().release(h);
    pdev.region(bar, null);
  }

  /** pci_iomap: maps a BAR; NULL (null) on failure. Fault point {@code pci_iomap}. */
  public static Op<IoMem> iomap(PciFunction pdev, int bar) {
    return Op.step("pci_iomap", x -> {
      if (bar < 0 || bar > 5 || pdev.barSize(bar) == 0) return null;
      if (k(x).faults().inject("pci_iomap", pdev.name())) return null;
      long size = pdev.barSize(bar);
      long virt = k(x).vmalloc(size);
      Resources.Handle h = k(x).resources().acquire(x, "iomap", () -> pdev + " BAR" + bar, false);
      return new IoMem(pdev, bar, virt, size, h);
    });
  }

  /** pci_iounmap. Unmapping twice is the kernel's WARN (vunmap of a nonexistent area). */
  public static Op<Void> iounmap(IoMem mem) {
    return Op.step("pci_iounmap", x -> {
      if (mem == null) return null;
      if (!mem.mapped()) {
        k(x).report(k(x).bugs().warning(x, "Trying to vunmap() nonexistent vm area ("
            + String.format("%016x", mem.virtualAddress()) + ")", "iounmap"));
        return null;
      }
      mem.unmap();
      k(x).resources().release(mem.handle());
      return null;
    });
  }

  // Call names by access size (1, 2, 4, 8 bytes), built once rather than per access.
  private static final String[] IOREAD = {null, "ioread8", "ioread16", null, "ioread32", null, null, null, "ioread64"};
  private static final String[] IOWRITE = {null, "iowrite8", "iowrite16", null, "iowrite32", null, null, null,
      "iowrite64"};

  private static String sized(String[] names, int size, String prefix) {
    String name = size > 0 && size < names.length ? names[size] : null;
    return name != null ? name : prefix + (8 * size);
  }

  /** ioread8/16/32/64: a non-posted read; the CPU stalls until the device (or the root complex) answers. */
  public static Op<Long> ioread(IoMem mem, long offset, int size) {
    String what = sized(IOREAD, size, "ioread");
    return Op.block(what, x -> {
      checkMapping(x, mem, offset, size, false, what);
      PciFunction pdev = mem.function();
      Kernel kernel = k(x);
      pdev.device().tell(new PciDeviceActor.MmioRead(PciDeviceActor.Space.bar(mem.bar()), offset, size,
          x.task().pid(), x.task().waitEpisode() + 1, kernel.cpu(x.cpu()),
          x.cause(() -> what + " " + pdev + " BAR" + mem.bar() + "+0x" + Long.toHexString(offset))));
      return Op.Wait.sleep(Op.WaitKind.BUS, () -> what + " " + pdev);
    }, (x, woke) -> {
      Cpu.MmioReadCompleted r = (Cpu.MmioReadCompleted) woke;
      if (r.unsupportedRequest()) {
        Detectors.of(x.kernel()).mmio().noteAllOnes(x, mem.function().name(),
            "BAR" + mem.bar() + "+0x" + Long.toHexString(offset));
      }
      return r.value();
    });
  }

  public static Op<Integer> ioread32(IoMem mem, long offset) {
    return ioread(mem, offset, 4).map(Long::intValue);
  }

  /** iowrite8/16/32/64: a posted write. */
  public static Op<Void> iowrite(IoMem mem, long offset, int size, long value) {
    String what = sized(IOWRITE, size, "iowrite");
    return Op.step(what, x -> {
      checkMapping(x, mem, offset, size, true, what);
      PciFunction pdev = mem.function();
      pdev.device().tell(new PciDeviceActor.MmioWrite(PciDeviceActor.Space.bar(mem.bar()), offset, size, value,
          x.cause(() -> what + " " + pdev + " BAR" + mem.bar() + "+0x" + Long.toHexString(offset))));
      return null;
    });
  }

  public static Op<Void> iowrite32(IoMem mem, long offset, int value) {
    return iowrite(mem, offset, 4, value & 0xFFFFFFFFL);
  }

  private static void checkMapping(Exec x, IoMem mem, long offset, int size, boolean write, String what) {
    if (mem == null) throw k(x).fatal(Detectors.of(k(x)).mmio().unmappedBar(x, offset, write, what + " through NULL"));
    if (!mem.mapped() || offset < 0 || offset + size > mem.size()) {
      throw k(x).fatal(Detectors.of(k(x)).mmio().unmappedBar(x, mem.virtualAddress() + offset, write,
          what + (mem.mapped() ? " beyond the mapping of " : " after iounmap of ") + "BAR" + mem.bar() + " of "
              + mem.function()));
    }
  }

  /** pci_read_config_dword and friends: a configuration read; all ones and an error if the device is gone. */
  public static Op<Integer> readConfig(PciFunction pdev, int offset, int size) {
    String what = "pci_read_config_" + (size == 1 ? "byte" : size == 2 ? "word" : "dword");
    return Op.block(what, x -> {
      pdev.device().tell(new PciDeviceActor.MmioRead(PciDeviceActor.Space.CONFIG, offset, size, x.task().pid(),
          x.task().waitEpisode() + 1, k(x).cpu(x.cpu()), x.cause(() -> what + " " + pdev + "+0x" + Integer.toHexString(offset))));
      return Op.Wait.sleep(Op.WaitKind.BUS, what);
    }, (x, woke) -> {
      Cpu.MmioReadCompleted r = (Cpu.MmioReadCompleted) woke;
      if (r.unsupportedRequest()) Detectors.of(x.kernel()).mmio().noteAllOnes(x, pdev.name(), "config+0x" + Integer.toHexString(offset));
      return (int) r.value();
    });
  }

  /** pci_write_config_dword and friends. */
  public static Op<Void> writeConfig(PciFunction pdev, int offset, int size, int value) {
    return Op.step("pci_write_config", x -> {
      pdev.device().tell(new PciDeviceActor.MmioWrite(PciDeviceActor.Space.CONFIG, offset, size, value & 0xFFFFFFFFL,
          x.cause("config write +0x" + Integer.toHexString(offset))));
      return null;
    });
  }

  /**
   * pci_alloc_irq_vectors(pdev, min, max, PCI_IRQ_MSIX | PCI_IRQ_MSI): prefers MSI-X, programs the device and
   * returns the number of vectors, or -ENOSPC / -EINVAL. Fault point {@code pci_alloc_irq_vectors}.
   */
  public static Op<Integer> allocIrqVectors(PciFunction pdev, int min, int max) {
    return Op.step("pci_alloc_irq_vectors", x -> {
      pdev.irqVectorsAllocatedOnce(true);
      if (pdev.irqCount() > 0) return -Errno.EINVAL;
      if (k(x).faults().inject("pci_alloc_irq_vectors", pdev.name())) return -Errno.ENOSPC;
      int msix = pdev.findCapability(PciConfigSpace.CAP_ID_MSIX);
      int msi = pdev.findCapability(PciConfigSpace.CAP_ID_MSI);
      Irqs irqs = k(x).irqs();
      if (msix >= 0) {
        int table = readCached(pdev, msix + 2, 2);
        int n = Math.min(max, (table & 0x7ff) + 1);
        if (n < min) return -Errno.ENOSPC;
        int bir = readCached(pdev, msix + 4, 4);
        long tableOffset = bir & ~0x7L & 0xFFFFFFFFL;
        var space = PciDeviceActor.Space.bar(bir & 0x7);
        for (int i = 0; i < n; i++) {
          int irq = irqs.allocate(pdev + "-msix" + i);
          if (irq < 0) {
            for (int v = 0; v < pdev.irqCount(); v++) irqs.release(pdev.irq(v));
            pdev.clearIrqs();
            return irq;
          }
          pdev.addIrq(irq);
          long at = tableOffset + 16L * i;
          var cause = x.cause("MSI-X entry " + i + " -> irq " + irq);
          pdev.device().tell(new PciDeviceActor.MmioWrite(space, at, 4, irqs.msiAddress(irq) & 0xFFFFFFFFL, cause));
          pdev.device().tell(new PciDeviceActor.MmioWrite(space, at + 4, 4, irqs.msiAddress(irq) >>> 32, cause));
          pdev.device().tell(new PciDeviceActor.MmioWrite(space, at + 8, 4, irqs.msiData(irq), cause));
          pdev.device().tell(new PciDeviceActor.MmioWrite(space, at + 12, 4, 0, cause));
        }
        pdev.device().tell(new PciDeviceActor.MmioWrite(PciDeviceActor.Space.CONFIG, msix + 2, 2,
            PciConfigSpace.MSIX_FLAGS_ENABLE, x.cause("MSI-X enable")));
        pdev.irqMode(PciFunction.IrqMode.MSIX);
        return n;
      }
      if (msi >= 0) {
        int flags = readCached(pdev, msi + 2, 2);
        int capable = 1 << ((flags >>> 1) & 0x7);
        // Multiple-message MSI needs consecutive vectors aligned to the count; one vector keeps it simple.
        int n = 1;
        if (n < min || n > max || capable < 1) return -Errno.ENOSPC;
        int irq = irqs.allocate(pdev + "-msi");
        if (irq < 0) return irq;
        pdev.addIrq(irq);
        var cause = x.cause("MSI -> irq " + irq);
        pdev.device().tell(new PciDeviceActor.MmioWrite(PciDeviceActor.Space.CONFIG, msi + 4, 4,
            irqs.msiAddress(irq) & 0xFFFFFFFFL, cause));
        pdev.device().tell(new PciDeviceActor.MmioWrite(PciDeviceActor.Space.CONFIG, msi + 8, 4,
            irqs.msiAddress(irq) >>> 32, cause));
        pdev.device().tell(new PciDeviceActor.MmioWrite(PciDeviceActor.Space.CONFIG, msi + 12, 2, irqs.msiData(irq), cause));
        pdev.device().tell(new PciDeviceActor.MmioWrite(PciDeviceActor.Space.CONFIG, msi + 2, 2,
            (flags & ~0x70) | PciConfigSpace.MSI_FLAGS_ENABLE, cause));
        pdev.irqMode(PciFunction.IrqMode.MSI);
        return n;
      }
      return -Errno.EINVAL;
    });
  }

  /**
   * pci_irq_vector: the Linux IRQ number of vector {@code n}, or -EINVAL (no such vector, or the vectors were
   * freed or could not be allocated). Asked before pci_alloc_irq_vectors was ever called on the device, it throws
   * {@link ChainBuildingTrap} instead: that is the chain-building trap (the value computed while the chain that
   * allocates the vectors was being built), and the -EINVAL it would give surfaces much later as a probe that fails
   * on every seed.
   */
  public static int irqVector(PciFunction pdev, int n) {
    if (!pdev.irqVectorsAllocatedOnce()) throw new ChainBuildingTrap("pci_irq_vector(" + pdev + ", " + n + ")",
        "pci_alloc_irq_vectors");
    return n >= 0 && n < pdev.irqCount() ? pdev.irq(n) : -Errno.EINVAL;
  }

  /** pci_free_irq_vectors: disables MSI/MSI-X. A vector that still has a handler is the kernel's WARN. */
  public static Op<Void> freeIrqVectors(PciFunction pdev) {
    return Op.step("pci_free_irq_vectors", x -> {
      for (int v = 0; v < pdev.irqCount(); v++) {
        int irq = pdev.irq(v);
        if (!k(x).irqs().actions(irq).isEmpty()) {
          k(x).report(k(x).bugs().warning(x, "irq " + irq + " of " + pdev
              + " still has a handler (free_irq not called before pci_free_irq_vectors)", "pci_free_irq_vectors"));
        }
      }
      int cap = pdev.irqMode() == PciFunction.IrqMode.MSIX ? pdev.findCapability(PciConfigSpace.CAP_ID_MSIX)
          : pdev.findCapability(PciConfigSpace.CAP_ID_MSI);
      if (cap >= 0) {
        int flags = pdev.irqMode() == PciFunction.IrqMode.MSIX ? 0 : readCached(pdev, cap + 2, 2) & ~1;
        pdev.device().tell(new PciDeviceActor.MmioWrite(PciDeviceActor.Space.CONFIG, cap + 2, 2, flags,
            x.cause("MSI disable")));
      }
      for (int v = 0; v < pdev.irqCount(); v++) k(x).irqs().release(pdev.irq(v));
      pdev.clearIrqs();
      pdev.irqMode(PciFunction.IrqMode.NONE);
      return null;
    });
  }

  private static int readCached(PciFunction pdev, int offset, int size) {
    return pdev.cachedConfig(offset, size);
  }
}
