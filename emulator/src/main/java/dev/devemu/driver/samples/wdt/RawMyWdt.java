package dev.devemu.driver.samples.wdt;

import static dev.devemu.datasheet.SampleWdtDatasheet.*;

import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.pci.RawPciDriver;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.pci.PciCore;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.kernel.pci.PciFunction;
import java.util.List;

/**
 * my_wdt written with C habits: probe arms the watchdog with a {@value MyWdt#TIMEOUT_MS} ms timeout and its
 * pretimeout interrupt; the handler answers each pretimeout with a keepalive, so the board never resets while the
 * driver is bound. Its bugs:
 * <ul>
 *   <li>return codes of pci_enable_device, pci_request_region, pci_iomap, kzalloc and request_irq are ignored;</li>
 *   <li>remove frees {@code struct my_wdt} before free_irq: a pretimeout handled meanwhile on another CPU reads the
 *       freed struct (KASAN use-after-free).</li>
 * </ul>
 */
public final class RawMyWdt implements RawPciDriver {
  @Override
  public String name() {
    return MyWdt.NAME;
  }

  @Override
  public List<PciDeviceId> idTable() {
    return MyWdt.ID_TABLE;
  }

  @Override
  public Op<Integer> probe(PciFunction pdev, PciDeviceId id) {
    MyWdtData d = new MyWdtData();
    return PciCore.enableDevice(pdev)
        .then(rc -> PciCore.requestRegion(pdev, 0, "my_wdt"))
        .then(rc -> PciCore.iomap(pdev, 0))
        .then(bar0 -> Mem.kzalloc(d)
            .then(Mem.write(d.bar0, bar0))
            .then(Op.step("pci_set_drvdata", x -> {
              pdev.drvdata(d);
              return null;
            }))
            .then(PciCore.setMaster(pdev)) // an MSI is a memory write: the function must be a bus master
            .then(PciCore.allocIrqVectors(pdev, 1, 1))
            .then(n -> Mem.write(d.irq, PciCore.irqVector(pdev, 0)))
            .then(v -> Irqs.requestIrq(PciCore.irqVector(pdev, 0), (irq, devId) -> handler((MyWdtData) devId),
                "my_wdt", d))
            .then(rc -> PciCore.iowrite32(bar0, REG_TIMEOUT, MyWdt.TIMEOUT_MS))
            .then(PciCore.iowrite32(bar0, REG_KEEPALIVE, KEEPALIVE_MAGIC))
            .then(PciCore.iowrite32(bar0, REG_CONTROL, CONTROL_ENABLE | CONTROL_PRETIMEOUT_IRQ))
            .then(Printk.info("my_wdt: watchdog armed, timeout " + MyWdt.TIMEOUT_MS + " ms"))
            .then(Op.rc(0)));
  }

  /** The pretimeout: feed the dog, acknowledge, count. */
  static Op<Irqs.IrqReturn> handler(MyWdtData d) {
    return Op.fn("my_wdt_irq", () -> Mem.read(d.bar0).then(bar0 -> PciCore.ioread32(bar0, REG_STATUS)
        .then(status -> (status & STATUS_PRETIMEOUT) == 0 ? Op.pure(Irqs.IrqReturn.NONE)
            : PciCore.iowrite32(bar0, REG_KEEPALIVE, KEEPALIVE_MAGIC)
                .then(PciCore.iowrite32(bar0, REG_IRQ_ACK, STATUS_PRETIMEOUT))
                .then(Mem.readOnce(d.keepalives))
                .then(n -> Mem.writeOnce(d.keepalives, n + 1))
                .then(Op.pure(Irqs.IrqReturn.HANDLED)))));
  }

  @Override
  public Op<Void> remove(PciFunction pdev) {
    MyWdtData d = (MyWdtData) pdev.drvdata();
    return Mem.read(d.bar0)
        .then(bar0 -> PciCore.iowrite32(bar0, REG_CONTROL, 0)
            .then(PciCore.ioread32(bar0, REG_EXPIRIES))
            .then(expiries -> Mem.readOnce(d.keepalives)
                .then(n -> Printk.info("my_wdt: stopped after " + n + " keepalives, " + expiries + " expiries")))
            .then(Mem.read(d.irq))
            .then(irq -> Mem.kfree(d) // C habit: the struct goes first; the handler may still be running
                .then(Irqs.freeIrq(irq, d)))
            .then(PciCore.freeIrqVectors(pdev))
            .then(PciCore.iounmap(bar0)))
        .then(PciCore.releaseRegion(pdev, 0))
        .then(PciCore.disableDevice(pdev));
  }
}
