package dev.devemu.driver.samples.wdt;

import static dev.devemu.datasheet.SampleWdtDatasheet.*;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.pci.Bar;
import dev.devemu.driver.api.pci.SafePciDevice;
import dev.devemu.driver.api.pci.SafePciDriver;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.uapi.Errno;
import java.util.List;

/**
 * my_wdt with Rust's discipline: every fallible call propagates, BAR0 and the interrupt are device-managed (devres
 * frees the handler, waiting for a running one, before the struct it uses), and BAR access is revocable. Same
 * behaviour as {@link RawMyWdt} without its bugs.
 */
public final class SafeMyWdt implements SafePciDriver<SafeMyWdt.Data> {
  /** Per-device data: the tracked struct and the BAR handle. */
  public static final class Data extends KStruct {
    final Field<Long> keepalives = field("keepalives", 8, 0L);
    final Bar bar0;

    Data(Bar bar0) {
      super("struct my_wdt");
      this.bar0 = bar0;
    }
  }

  @Override
  public String name() {
    return MyWdt.NAME;
  }

  @Override
  public List<PciDeviceId> idTable() {
    return MyWdt.ID_TABLE;
  }

  @Override
  public Fallible<Data> probe(SafePciDevice pdev, PciDeviceId id) {
    return pdev.enableDeviceMem().mapErr(e -> Errno.EINVAL)
        .andThen(v -> pdev.iomapRegion(0, "my_wdt"))
        .andThen(bar0 -> pdev.kzalloc(new Data(bar0)))
        .andThen(data -> Fallible.lift(pdev.setMaster()) // an MSI is a memory write: bus mastering on
            .andThen(v -> pdev.allocIrqVectors(1, 1))
            .andThen(n -> pdev.requestIrq(0, (irq, devId) -> handler((Data) devId), "my_wdt", data))
            .andThen(irq -> data.bar0.write32(REG_TIMEOUT, MyWdt.TIMEOUT_MS))
            .andThen(v -> data.bar0.write32(REG_KEEPALIVE, KEEPALIVE_MAGIC))
            .andThen(v -> data.bar0.write32(REG_CONTROL, CONTROL_ENABLE | CONTROL_PRETIMEOUT_IRQ))
            .andThen(v -> Fallible.lift(Printk.info("my_wdt: watchdog armed, timeout " + MyWdt.TIMEOUT_MS + " ms")))
            .map(v -> data));
  }

  static Op<Irqs.IrqReturn> handler(Data d) {
    return Op.fn("my_wdt_irq", () -> d.bar0.read32(REG_STATUS)
        .andThen(status -> (status & STATUS_PRETIMEOUT) == 0 ? Fallible.<Void>err(Errno.ENODATA)
            : d.bar0.write32(REG_KEEPALIVE, KEEPALIVE_MAGIC)
                .andThen(v -> d.bar0.write32(REG_IRQ_ACK, STATUS_PRETIMEOUT))
                .andThen(v -> Fallible.lift(Mem.readOnce(d.keepalives)))
                .andThen(n -> Fallible.lift(Mem.writeOnce(d.keepalives, n + 1))))
        .map(v -> Irqs.IrqReturn.HANDLED)
        .op().map(r -> r instanceof KResult.Ok<Irqs.IrqReturn> ok ? ok.value() : Irqs.IrqReturn.NONE));
  }

  @Override
  public Op<Void> remove(Data data) {
    // Stop the countdown; a device already gone fails the write with ENXIO, and there is nothing left to stop.
    return data.bar0.write32(REG_CONTROL, 0)
        .andThen(v -> data.bar0.read32(REG_EXPIRIES))
        .andThen(expiries -> Fallible.lift(Mem.readOnce(data.keepalives)
            .then(n -> Printk.info("my_wdt: stopped after " + n + " keepalives, " + expiries + " expiries"))))
        .op().then(ignoredResult -> Op.<Void>done());
  }
}
