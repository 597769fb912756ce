package dev.devemu.driver.samples.bugs;

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
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.FieldArray;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.pci.IoMem;
import dev.devemu.kernel.pci.PciCore;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.uapi.Errno;
import java.util.List;

/**
 * my_pcie with C habits but corrected: the raw sample ({@code samples.pcie.RawMyPcie}) with every return code
 * checked and unwound in a goto ladder, the revision checked with cleanup, {@code free_irq} before anything the
 * handler uses is torn down, the device's data published before its interrupt can fire, the ring index
 * bounds-checked, and the storm guard masking its line with {@code disable_irq_nosync()}. With a {@link Defect}
 * it carries exactly one of the mistakes the zoo lists (each a small edit of this code, marked where it is).
 */
public final class ZooPcie implements RawPciDriver {
  /** The one mistake this instance makes, or none. */
  public enum Defect {
    /** remove kfree()s the data before free_irq(): a handler on another CPU reads freed memory. */
    UAF_REMOVE_VS_IRQ,
    /** remove unmaps BAR0 before free_irq(): a running handler reads through an unmapped BAR. */
    TEARDOWN_ORDER,
    /** the revision check returns -ENODEV without releasing the region, the mapping and the enable. */
    LEAK_ON_ERROR_PATH,
    /** kzalloc's result is not checked: under memory pressure probe writes through NULL. */
    UNCHECKED_ALLOC,
    /** the device is enabled, and its interrupt requested, before {@code d->bar0} is set. */
    IRQ_BEFORE_READY,
    /** the handler takes the ring slot from IRQ_STATUS without a bounds check (all ones after a removal). */
    UNCHECKED_INDEX,
    /** the storm guard calls the sleeping disable_irq() from the handler (instead of disable_irq_nosync()). */
    SLEEP_IN_IRQ
  }

  /** Interrupts with nothing to report, within one window, before the handler decides the card is wedged. */
  static final int STORM_THRESHOLD = 2000;
  static final long STORM_WINDOW_NANOS = 1_000_000_000L;

  /** {@code struct my_pcie_data}. */
  static final class Data extends KStruct {
    final Field<IoMem> bar0 = field("bar0", 8, null);
    final Field<Integer> irq = field("irq", 4, 0);
    final Field<Long> count = field("count", 8, 0L);
    final Field<Long> stormStart = field("storm.start", 8, 0L);
    final Field<Integer> unhandled = field("storm.unhandled", 4, 0);
    final Field<Integer> handled = field("storm.handled", 4, 0);
    final FieldArray<Integer> ring = array("ring", SamplePcieDatasheet.RING_SLOTS, 4);

    Data() {
      super("struct my_pcie_data");
    }
  }

  private final Defect defect;

  /** @param defect the mistake to make, or null for the corrected driver */
  public ZooPcie(Defect defect) {
    this.defect = defect;
  }

  private boolean has(Defect d) {
    return defect == d;
  }

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
    Data d = new Data();
    return Printk.info("my_pcie: Probing device " + pdev)
        .then(Mem.kzalloc(d))
        .then(s -> s.allocation() == null && !has(Defect.UNCHECKED_ALLOC) ? Op.rc(-Errno.ENOMEM)
            : PciCore.enableDevice(pdev).then(rc -> rc < 0 ? freeData(d, rc) : PciCore.requestRegion(pdev, 0,
                "my_pcie_bar0").then(rc2 -> rc2 < 0 ? PciCore.disableDevice(pdev).then(freeData(d, rc2))
                    : mapAndStart(pdev, d))));
  }

  private static Op<Integer> freeData(Data d, int rc) {
    return Mem.kfree(d).then(Op.rc(rc));
  }

  /** From pci_iomap on; every failure unwinds what came before (the goto ladder). */
  private Op<Integer> mapAndStart(PciFunction pdev, Data d) {
    return Mem.write(d.irq, 0).then(PciCore.iomap(pdev, 0)).then(bar0 -> {
      Op<Integer> unmapped = PciCore.releaseRegion(pdev, 0).then(PciCore.disableDevice(pdev)).then(Mem.kfree(d))
          .then(Op.rc(-Errno.ENOMEM));
      if (bar0 == null) return unmapped;
      Op<Void> undoMap = PciCore.iounmap(bar0).then(PciCore.releaseRegion(pdev, 0))
          .then(PciCore.disableDevice(pdev)).then(Mem.kfree(d));
      if (pdev.revision() < 0x02) {
        Op<Void> msg = Printk.err("my_pcie: Unsupported revision ID: 0x" + Integer.toHexString(pdev.revision()));
        // LEAK_ON_ERROR_PATH: the early return of the raw sample, without the unwinding.
        return has(Defect.LEAK_ON_ERROR_PATH) ? msg.then(Op.rc(-Errno.ENODEV)) : msg.then(undoMap).then(Op.rc(-Errno.ENODEV));
      }
      Op<Void> publish = Mem.write(d.bar0, bar0).then(Op.step("pci_set_drvdata", x -> {
        pdev.drvdata(d);
        return null;
      }));
      return (has(Defect.IRQ_BEFORE_READY) ? Op.<Void>done() : publish)
          .then(PciCore.setMaster(pdev))
          .then(PciCore.allocIrqVectors(pdev, 1, 1))
          .then(n -> n < 0 ? undoMap.then(Op.rc(n)) : Mem.write(d.irq, PciCore.irqVector(pdev, 0))
              .then(v -> Irqs.requestIrq(PciCore.irqVector(pdev, 0), (irq, devId) -> handler((Data) devId), "my_pcie", d))
              .then(rc -> rc < 0 ? PciCore.freeIrqVectors(pdev).then(undoMap).then(Op.rc(rc))
                  : PciCore.iowrite32(bar0, REG_CONTROL, 1)
                      .then(Printk.info("my_pcie: Probe succeeded for " + pdev))
                      // IRQ_BEFORE_READY: d->bar0 and drvdata are set last, after the card may interrupt.
                      .then(has(Defect.IRQ_BEFORE_READY) ? publish : Op.<Void>done())
                      .then(Op.rc(0))));
    });
  }

  /** The interrupt handler: reads status and data, files the sample in the ring slot the device names. */
  private Op<Irqs.IrqReturn> handler(Data d) {
    return Op.fn("my_pcie_irq", () -> Mem.read(d.bar0).then(bar0 -> PciCore.ioread32(bar0, REG_IRQ_STATUS)
        .then(status -> {
          if ((status & IRQ_DATA_READY) == 0) {
            return Mem.read(d.irq).then(irq -> noteUnhandled(d, irq)).then(Op.pure(Irqs.IrqReturn.NONE));
          }
          int slot = status >>> 8;
          // UNCHECKED_INDEX: the bounds check on a value read from the device is missing.
          if (slot >= SamplePcieDatasheet.RING_SLOTS && !has(Defect.UNCHECKED_INDEX)) {
            return Op.pure(Irqs.IrqReturn.NONE);
          }
          return Mem.readOnce(d.handled).then(n -> Mem.writeOnce(d.handled, n + 1))
              .then(PciCore.ioread32(bar0, REG_DATA))
              .then(data -> Mem.write(d.ring, slot, data))
              .then(Mem.read(d.count))
              .then(c -> Mem.write(d.count, c + 1))
              .then(PciCore.iowrite32(bar0, REG_IRQ_ACK, status))
              .then(Op.pure(Irqs.IrqReturn.HANDLED));
        })));
  }

  /** The storm guard of {@code samples.pcie.MyPcie}, masking with disable_irq_nosync() (unless SLEEP_IN_IRQ). */
  private Op<Void> noteUnhandled(Data d, int irq) {
    return Op.step("ktime_get_ns", x -> x.now()).then(now -> Mem.readOnce(d.stormStart)
        .then(start -> now - start < STORM_WINDOW_NANOS ? Mem.readOnce(d.unhandled)
            : Mem.writeOnce(d.stormStart, now).then(Mem.writeOnce(d.handled, 0)).then(Op.pure(0))))
        .then(n -> Mem.writeOnce(d.unhandled, n + 1).then(v -> n + 1 != STORM_THRESHOLD ? Op.<Void>done()
            : Mem.readOnce(d.handled).then(handled -> handled * 10 >= STORM_THRESHOLD ? Op.<Void>done()
                : Printk.err("my_pcie: interrupt storm, disabling IRQ " + irq)
                    .then(has(Defect.SLEEP_IN_IRQ) ? Irqs.disableIrq(irq) : Irqs.disableIrqNosync(irq)))));
  }

  @Override
  public Op<Void> remove(PciFunction pdev) {
    Data d = (Data) pdev.drvdata();
    return Printk.info("my_pcie: Removing device")
        .then(Mem.read(d.bar0))
        .then(bar0 -> Mem.read(d.irq).then(irq -> PciCore.iowrite32(bar0, REG_CONTROL, 0)
            // TEARDOWN_ORDER: the mapping goes before the handler; UAF_REMOVE_VS_IRQ: the data does.
            .then(has(Defect.TEARDOWN_ORDER) ? PciCore.iounmap(bar0) : Op.<Void>done())
            .then(has(Defect.UAF_REMOVE_VS_IRQ) ? Mem.kfree(d) : Op.<Void>done())
            .then(Irqs.freeIrq(irq, d))
            .then(PciCore.freeIrqVectors(pdev))
            .then(has(Defect.TEARDOWN_ORDER) ? Op.<Void>done() : PciCore.iounmap(bar0))))
        .then(has(Defect.UAF_REMOVE_VS_IRQ) ? Op.<Void>done() : Mem.kfree(d))
        .then(PciCore.releaseRegion(pdev, 0))
        .then(PciCore.disableDevice(pdev))
        .then(Printk.info("my_pcie: Remove completed"));
  }
}
