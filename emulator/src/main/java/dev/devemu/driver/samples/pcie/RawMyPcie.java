package dev.devemu.driver.samples.pcie;

import static dev.devemu.datasheet.SamplePcieDatasheet.IRQ_DATA_READY;
import static dev.devemu.datasheet.SamplePcieDatasheet.REG_CONTROL;
import static dev.devemu.datasheet.SamplePcieDatasheet.REG_DATA;
import static dev.devemu.datasheet.SamplePcieDatasheet.REG_IRQ_ACK;
import static dev.devemu.datasheet.SamplePcieDatasheet.REG_IRQ_STATUS;

import dev.devemu.datasheet.SamplePcieDatasheet;
import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.pci.RawPciDriver;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.pci.PciCore;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.uapi.Errno;
import java.util.List;

/**
 * my_pcie written with C habits. Its bugs are the ordinary ones:
 * <ul>
 *   <li>return codes of pci_enable_device, pci_request_region, pci_iomap, kzalloc and request_irq are ignored;</li>
 *   <li>the revision check returns -ENODEV without undoing what probe already did;</li>
 *   <li>remove unmaps BAR0 before free_irq, so a handler running on another CPU reads an unmapped BAR;</li>
 *   <li>the handler trusts IRQ_STATUS: after a surprise removal it reads all ones and indexes the ring with it.</li>
 * </ul>
 * Shared with the safe variant ({@link MyPcie}): after {@value MyPcie#STORM_THRESHOLD} interrupts with nothing to
 * report within a second (and few with a sample), the handler masks its line with {@code disable_irq()} — which
 * sleeps waiting for the running handler, itself: "BUG: sleeping function called from invalid context" (a
 * self-deadlock on a real kernel; the class of bug mainline fixes with "use disable_irq_nosync() in the interrupt
 * handler"). Only an interrupt storm ({@code irq-storm} in a fault plan) gets there. Rust would not have prevented
 * it: no type says which context a function runs in or whether a call may sleep ({@link SafeMyPcie} keeps it).
 */
public final class RawMyPcie implements RawPciDriver {
  @Override
  public String name() {
    return "my_pcie";
  }

  @Override
  public List<PciDeviceId> idTable() {
    return List.of(PciDeviceId.of(SamplePcieDatasheet.VENDOR, SamplePcieDatasheet.DEVICE));
  }

  @Override
  public Op<Integer> probe(PciFunction pdev, PciDeviceId id) {
    MyPcieData d = new MyPcieData();
    return Printk.info("my_pcie: Probing device " + pdev)
        .then(PciCore.enableDevice(pdev))
        .then(rc -> PciCore.requestRegion(pdev, 0, "my_pcie_bar0"))
        .then(rc -> PciCore.iomap(pdev, 0))
        .then(bar0 -> {
          if (pdev.revision() < 0x02) {
            return Printk.err("my_pcie: Unsupported revision ID: 0x" + Integer.toHexString(pdev.revision()))
                .then(Op.rc(-Errno.ENODEV));
          }
          return Mem.kzalloc(d)
              .then(Mem.write(d.bar0, bar0))
              .then(Op.step("pci_set_drvdata", x -> {
                pdev.drvdata(d);
                return null;
              }))
              .then(PciCore.setMaster(pdev))
              .then(PciCore.allocIrqVectors(pdev, 1, 1))
              .then(n -> Mem.write(d.irq, PciCore.irqVector(pdev, 0)))
              .then(ignored -> Irqs.requestIrq(PciCore.irqVector(pdev, 0),
                  (irq, devId) -> handler((MyPcieData) devId), "my_pcie", d))
              .then(rc -> PciCore.iowrite32(bar0, REG_CONTROL, 1))
              .then(Printk.info("my_pcie: Probe succeeded for " + pdev))
              .then(Op.rc(0));
        });
  }

  /** The interrupt handler: reads status and data, files the sample in the ring slot the device names. */
  static Op<Irqs.IrqReturn> handler(MyPcieData d) {
    return Op.fn("my_pcie_irq", () -> Mem.read(d.bar0).then(bar0 -> PciCore.ioread32(bar0, REG_IRQ_STATUS)
        .then(status -> {
          if ((status & IRQ_DATA_READY) == 0) {
            return Mem.read(d.irq).then(irq -> MyPcie.noteUnhandled(d.storm, irq)).then(Op.pure(Irqs.IrqReturn.NONE));
          }
          int slot = status >>> 8;
          return MyPcie.noteHandled(d.storm)
              .then(PciCore.ioread32(bar0, REG_DATA))
              .then(data -> Mem.write(d.ring, slot, data))
              .then(Mem.read(d.count))
              .then(c -> Mem.write(d.count, c + 1))
              .then(PciCore.iowrite32(bar0, REG_IRQ_ACK, status))
              .then(Op.pure(Irqs.IrqReturn.HANDLED));
        })));
  }

  @Override
  public Op<Void> remove(PciFunction pdev) {
    MyPcieData d = (MyPcieData) pdev.drvdata();
    return Printk.info("my_pcie: Removing device")
        .then(Mem.read(d.bar0))
        .then(bar0 -> PciCore.iowrite32(bar0, REG_CONTROL, 0)
            .then(PciCore.iounmap(bar0)))
        .then(Mem.read(d.irq))
        .then(irq -> Irqs.freeIrq(irq, d))
        .then(PciCore.freeIrqVectors(pdev))
        .then(Mem.kfree(d))
        .then(PciCore.releaseRegion(pdev, 0))
        .then(PciCore.disableDevice(pdev))
        .then(Printk.info("my_pcie: Remove completed"));
  }

}
