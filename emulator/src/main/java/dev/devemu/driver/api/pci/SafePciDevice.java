package dev.devemu.driver.api.pci;

import dev.devemu.driver.api.Devres;
import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.driver.api.Revocable;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.pci.IoMem;
import dev.devemu.kernel.pci.PciCore;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.uapi.Errno;

/**
 * The safe flavour's view of a PCI function ({@code pci::Device}): every resource it hands out is device-managed
 * and released in reverse order after remove or a failed probe; errors come back as {@link Fallible}.
 */
public final class SafePciDevice {
  private final PciFunction pdev;
  private final Devres devres;
  private final Owner owner;

  SafePciDevice(PciFunction pdev, Devres devres, Owner owner) {
    this.pdev = pdev;
    this.devres = devres;
    this.owner = owner;
  }

  public String name() {
    return pdev.name();
  }

  public Owner owner() {
    return owner;
  }

  /** Cached at enumeration; no I/O, cannot fail. */
  public int revision() {
    return pdev.revision();
  }

  public int vendorId() {
    return pdev.vendor();
  }

  public int deviceId() {
    return pdev.deviceId();
  }

  public Devres devres() {
    return devres;
  }

  /**
   * devm_kzalloc: the struct lives as long as the binding and is freed with the other managed resources — after
   * remove, or on any error path of probe, without a line of cleanup code.
   */
  public <S extends dev.devemu.kernel.mem.KStruct> Fallible<S> kzalloc(S struct) {
    return dev.devemu.driver.api.Mem.kboxNew(struct).map(s -> {
      devres.add("kfree(" + s.typeName() + ")", () -> dev.devemu.driver.api.Mem.kfree(s));
      return s;
    });
  }

  /** pcim_enable_device: enabled now, disabled automatically at unbind. */
  public Fallible<Void> enableDeviceMem() {
    return Fallible.fromRc(PciCore.enableDevice(pdev)).map(rc -> {
      devres.add("pci_disable_device", () -> PciCore.disableDevice(pdev));
      return null;
    });
  }

  public Op<Void> setMaster() {
    return PciCore.setMaster(pdev);
  }

  /**
   * {@code iomap_region}: claims BAR {@code bar} and maps it; both undone automatically, the mapping revoked
   * (waiting for readers) before it is unmapped.
   */
  public Fallible<Bar> iomapRegion(int bar, String name) {
    return Fallible.fromRc(PciCore.requestRegion(pdev, bar, name))
        .andThen(rc -> {
          devres.add("pci_release_region", () -> PciCore.releaseRegion(pdev, bar));
          return Fallible.of(PciCore.iomap(pdev, bar).map(io -> io == null ? KResult.<IoMem>err(Errno.ENOMEM)
              : KResult.ok(io)));
        })
        .map(io -> {
          Revocable<IoMem> r = new Revocable<>(name, io);
          devres.add("pci_iounmap", () -> r.revoke(PciCore::iounmap));
          return new Bar(r, io.size());
        });
  }

  /** pci_alloc_irq_vectors, freed automatically. */
  public Fallible<Integer> allocIrqVectors(int min, int max) {
    return Fallible.fromRc(PciCore.allocIrqVectors(pdev, min, max)).map(n -> {
      devres.add("pci_free_irq_vectors", () -> PciCore.freeIrqVectors(pdev));
      return n;
    });
  }

  /** {@code pci_dev_is_disconnected}: the device was surprise-removed (reads give all ones, DMA has stopped). */
  public boolean disconnected() {
    return pdev.disconnected();
  }

  /**
   * {@code synchronize_irq} on vector {@code index}: waits for a handler still running on another CPU. Err(EINVAL)
   * if the vector was never allocated.
   */
  public Fallible<Void> synchronizeIrq(int index) {
    return Fallible.of(Op.defer(() -> {
      // computed when it runs (never the chain-building trap); before any allocation: no such vector
      if (!pdev.irqVectorsAllocatedOnce()) return Op.pure(KResult.<Void>err(Errno.EINVAL));
      int irq = PciCore.irqVector(pdev, index);
      if (irq < 0) return Op.pure(KResult.<Void>err(-irq));
      return Irqs.synchronizeIrq(irq).map(KResult::ok);
    }));
  }

  /**
   * devm_request_irq on vector {@code index}: the handler stays registered until unbind, when free_irq waits for
   * any running instance before the resources registered earlier are released.
   */
  public Fallible<Integer> requestIrq(int index, Irqs.Handler handler, String name, Object devId) {
    return Fallible.of(Op.defer(() -> {
      // computed when it runs (never the chain-building trap); before any allocation: no such vector
      if (!pdev.irqVectorsAllocatedOnce()) return Op.pure(KResult.<Integer>err(Errno.EINVAL));
      int irq = PciCore.irqVector(pdev, index);
      if (irq < 0) return Op.pure(KResult.<Integer>err(-irq));
      return Irqs.requestIrq(irq, handler, name, devId).map(rc -> {
        if (rc < 0) return KResult.<Integer>err(-rc);
        devres.add("free_irq(" + irq + ")", () -> Irqs.freeIrq(irq, devId));
        return KResult.ok(irq);
      });
    }));
  }
}
