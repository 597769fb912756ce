package dev.devemu.kernel.driver;

import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.ReportText;
import dev.devemu.kernel.Resources;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.KernelMemory;
import java.util.List;

/**
 * Leak after remove: what a driver instance still holds once its remove/disconnect returned and its
 * device-managed resources were released — memory (in kmemleak's words), interrupt handlers (in the words the
 * kernel uses when an IRQ's proc directory is removed non-empty), DMA mappings (in DMA-API debug's words),
 * regions, BAR mappings and URBs.
 */
public final class LeakCheck {
  private final Kernel kernel;

  public LeakCheck(Kernel kernel) {
    this.kernel = kernel;
  }

  /** Checks a driver instance that has just been unbound; reports and returns the report, or null if clean. */
  public Oops afterUnbind(Owner owner, String removeFunction) {
    // Arc-owned memory still live is held by someone (an open file): referenced, so kmemleak would not list it.
    List<Allocation> memory = KernelMemory.of(kernel).liveOwnedBy(owner).stream()
        .filter(a -> !a.managed() && !a.refcounted()).toList();
    List<Irqs.Action> irqs = kernel.irqs().actionsOf(owner);
    List<Resources.Handle> other = kernel.resources().liveOwnedBy(owner).stream().filter(h -> !h.managed()).toList();
    // a device-managed coherent buffer (dmam_alloc_coherent) goes with its memory; anything else still mapped leaks
    List<Dma.Mapping> mappings = Dma.of(kernel).liveOwnedBy(owner).stream()
        .filter(m -> !(m.coherent() && m.buffer().managed())).toList();
    int total = memory.size() + irqs.size() + other.size() + mappings.size();
    if (total == 0) return null;
    ReportText r = new ReportText().line(owner + ": " + total + " resource" + (total == 1 ? "" : "s")
        + " still held after " + removeFunction + " returned");
    for (Allocation a : memory) {
      r.line("unreferenced object 0x" + ReportText.hex(a.address()) + " (size " + a.size() + "): " + a.type())
          .line("  comm \"" + a.allocated().task() + "\", pid " + a.allocated().pid() + ", at "
              + ReportText.time(a.allocated().timeNanos()))
          .line("  backtrace: " + String.join(" <- ", a.allocated().stack()));
    }
    for (Irqs.Action a : irqs) {
      r.line("remove_proc_entry: removing non-empty directory 'irq/" + a.irq() + "', leaking at least '"
          + a.name() + "'");
    }
    for (Resources.Handle h : other) {
      r.line("still held: " + h.kind() + " " + h.name() + " (acquired by " + h.acquired().header() + ")");
    }
    if (!mappings.isEmpty()) {
      // kernel/dma/debug.c, dma_debug_device_change()
      Dma.Mapping m = mappings.get(0);
      r.line("DMA-API: " + owner.driver() + " " + owner.device() + ": device driver has pending DMA allocations while "
          + "released from device "
          + "[count=" + mappings.size() + "]")
          .line("One of leaked entries details: [device address=0x" + String.format("%016x", m.iova()) + "] [size="
              + m.length() + " bytes] [mapped with DMA_" + m.direction() + "] [mapped as "
              + (m.coherent() ? "coherent" : "single") + "] (mapped by " + m.mappedBy().header() + ")");
    }
    StringBuilder kinds = new StringBuilder();
    if (!memory.isEmpty()) kinds.append("memory,");
    if (!irqs.isEmpty()) kinds.append("irq,");
    for (Resources.Handle h : other) {
      if (kinds.indexOf(h.kind() + ",") < 0) kinds.append(h.kind()).append(',');
    }
    if (!mappings.isEmpty()) kinds.append("dma-mapping,");
    Oops oops = new Oops("leak", "BUG: " + owner.driver() + ": resources leaked after " + removeFunction,
        r.build(), owner, kernel.now(), dev.devemu.sim.Cause.NO_CPU,
        "leak:" + owner.driver() + ":" + kinds);
    kernel.report(oops);
    return oops;
  }
}
