package dev.devemu.cli;

import dev.devemu.datasheet.SamplePcieDatasheet;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.pci.PciBindings;
import dev.devemu.driver.api.pci.RawPciDriver;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.kernel.pci.PciCore;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.scenario.DriverKind;
import java.util.List;

/**
 * {@code name = spindrv} (test resources, META-INF/services): a PCI driver whose probe waits for its card with
 * {@code while (!ready) cpu_relax();} — and nothing ever sets ready. Each cpu_relax is a kernel step that takes no
 * virtual time, so time stands still while the CPU spins: the soft lockup the lane's livelock bound reports.
 */
public final class SpinDriverKind implements DriverKind {
  static final String NAME = "spindrv";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "a PCI driver whose probe busy-waits forever (tests)";
  }

  @Override
  public DriverEntry<?, ?> entry(Variant variant) {
    return PciBindings.raw(new RawPciDriver() {
      @Override
      public String name() {
        return NAME;
      }

      @Override
      public List<PciDeviceId> idTable() {
        return List.of(PciDeviceId.of(SamplePcieDatasheet.VENDOR, SamplePcieDatasheet.DEVICE));
      }

      @Override
      public Op<Integer> probe(PciFunction pdev, PciDeviceId id) {
        boolean[] ready = {false};
        return PciCore.enableDevice(pdev)
            .then(rc -> Printk.info("spindrv: waiting for the card"))
            .then(v -> Op.whileLoop(() -> !ready[0], () -> Op.fn("spindrv_wait_ready",
                () -> Op.step("cpu_relax", x -> null))))
            .then(v -> Op.rc(0));
      }

      @Override
      public Op<Void> remove(PciFunction pdev) {
        return PciCore.disableDevice(pdev);
      }
    });
  }
}
