package dev.devemu.driver.samples.pcie;

import static dev.devemu.datasheet.SamplePcieDatasheet.IRQ_DATA_READY;
import static dev.devemu.datasheet.SamplePcieDatasheet.REG_CONTROL;
import static dev.devemu.datasheet.SamplePcieDatasheet.REG_DATA;
import static dev.devemu.datasheet.SamplePcieDatasheet.REG_IRQ_ACK;
import static dev.devemu.datasheet.SamplePcieDatasheet.REG_IRQ_STATUS;

import dev.devemu.datasheet.SamplePcieDatasheet;
import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.pci.Bar;
import dev.devemu.driver.api.pci.SafePciDevice;
import dev.devemu.driver.api.pci.SafePciDriver;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.kernel.sync.SpinLock;
import dev.devemu.uapi.Errno;
import java.util.List;

/**
 * my_pcie written with Rust's discipline, as the article's {@code impl PciDriver for MyPcieDriver}: every
 * fallible call propagates with {@code ?}, BAR0, the interrupt vectors and the handler are device-managed (so
 * the handler is freed, waiting for a running instance, before BAR0 is unmapped), BAR access is revocable, and
 * the ring is indexed with bounds checks.
 *
 * <p>Shared with the raw variant ({@link MyPcie}): the handler's storm guard masks the line with
 * {@code disable_irq()}, which sleeps until the line's running handler — itself — returns: sleeping in atomic
 * context, a self-deadlock on a real kernel (the bug class of mainline's "use disable_irq_nosync() in the interrupt
 * handler" fixes). Only an interrupt storm gets there. Not prevented by Rust:
 * nothing in a function's type says it may sleep or that a closure runs in hardirq context, so the call compiles
 * (the kernel's runtime might_sleep() check reports it; the klint lint that would catch it is not part of the build).
 */
public final class SafeMyPcie implements SafePciDriver<SafeMyPcie.Data> {
  /** Per-device data: the struct in kernel memory plus the handles the types keep. */
  public static final class Data extends MyPcieDataHolder {
    final Bar bar0;
    final SpinLock lock = new SpinLock("my_pcie_data.lock");
    /** The Linux IRQ number devm_request_irq gave (set before the device is enabled). */
    int irq;

    Data(Bar bar0) {
      this.bar0 = bar0;
    }
  }

  /** The tracked struct part of {@link Data}. */
  static class MyPcieDataHolder extends dev.devemu.kernel.mem.KStruct {
    final dev.devemu.kernel.mem.Field<Long> count = field("count", 8, 0L);
    /** The storm guard's window (the handler's own, see {@link MyPcie}): start, interrupts with and without data. */
    final dev.devemu.kernel.mem.Field<Long> stormStart = field("storm.start", 8, 0L);
    final dev.devemu.kernel.mem.Field<Integer> unhandled = field("storm.unhandled", 4, 0);
    final dev.devemu.kernel.mem.Field<Integer> handled = field("storm.handled", 4, 0);
    final MyPcie.StormCounters storm = new MyPcie.StormCounters(stormStart, unhandled, handled);
    final dev.devemu.kernel.mem.FieldArray<Integer> ring = array("ring", SamplePcieDatasheet.RING_SLOTS, 4);

    MyPcieDataHolder() {
      super("struct my_pcie_data");
    }
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
  public Fallible<Data> probe(SafePciDevice pdev, PciDeviceId id) {
    return Fallible.lift(Printk.info("my_pcie: Probing device " + pdev.name()))
        .andThen(v -> pdev.enableDeviceMem().mapErr(e -> Errno.EINVAL))
        .andThen(v -> pdev.iomapRegion(0, "my_pcie_bar0"))
        .andThen(bar0 -> pdev.revision() < 0x02
            ? Fallible.lift(Printk.err("my_pcie: Unsupported revision ID: 0x"
                + Integer.toHexString(pdev.revision()))).<Bar>andThen(x -> Fallible.err(Errno.ENODEV))
            : Fallible.ok(bar0))
        .andThen(bar0 -> pdev.kzalloc(new Data(bar0)))
        .andThen(data -> Fallible.lift(pdev.setMaster())
            .andThen(v -> pdev.allocIrqVectors(1, 1))
            .andThen(n -> pdev.requestIrq(0, (irq, devId) -> handler((Data) devId), "my_pcie", data))
            .map(irq -> data.irq = irq)
            .andThen(irq -> data.bar0.write32(REG_CONTROL, 1))
            .andThen(v -> Fallible.lift(Printk.info("my_pcie: Probe succeeded for " + pdev.name())))
            .map(v -> data));
  }

  static Op<Irqs.IrqReturn> handler(Data d) {
    return Op.fn("my_pcie_irq", () -> d.bar0.read32(REG_IRQ_STATUS)
        .andThen(status -> (status & IRQ_DATA_READY) == 0
            ? Fallible.lift(MyPcie.noteUnhandled(d.storm, d.irq))
                .<Irqs.IrqReturn>andThen(v -> Fallible.err(Errno.ENODATA))
            : Fallible.lift(MyPcie.noteHandled(d.storm)).andThen(v -> d.bar0.read32(REG_DATA))
                .andThen(sample -> Fallible.of(d.lock.withIrqSave(() -> Mem.set(d.ring, status >>> 8, sample)
                    .andThen(v -> Fallible.lift(Mem.read(d.count)))
                    .andThen(c -> Fallible.lift(Mem.write(d.count, c + 1))).op())))
                .andThen(v -> d.bar0.write32(REG_IRQ_ACK, status))
                .map(v -> Irqs.IrqReturn.HANDLED))
        .op().map(r -> r instanceof KResult.Ok<Irqs.IrqReturn> ok ? ok.value() : Irqs.IrqReturn.NONE));
  }

  @Override
  public Op<Void> remove(Data data) {
    // Stop the device; if it is already gone the write fails with ENXIO, which is fine here and said so.
    return Printk.info("my_pcie: Removing device")
        .then(data.bar0.write32(REG_CONTROL, 0).op())
        .then(ignoredResult -> Printk.info("my_pcie: Remove completed"));
  }
}
