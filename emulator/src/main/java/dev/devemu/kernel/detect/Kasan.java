package dev.devemu.kernel.detect;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.ReportText;
import dev.devemu.kernel.Stamp;
import dev.devemu.kernel.mem.Allocation;

/**
 * KASAN's reports: use-after-free, out-of-bounds and double-free, each with the access, where the object was
 * allocated and where it was freed. The checks themselves live in kernel memory (the shadow); this class says
 * what they found, as {@code mm/kasan/report.c} would.
 */
public final class Kasan {
  private final Kernel kernel;
  private final Detectors detectors;

  Kasan(Kernel kernel, Detectors detectors) {
    this.kernel = kernel;
    this.detectors = detectors;
  }

  public Oops useAfterFree(Exec x, Allocation a, long offset, int size, boolean write, String what) {
    String kind = a.kind() == Allocation.Kind.KMALLOC ? "slab-use-after-free" : "use-after-free";
    return report(x, kind, a, offset, size, write, what, "freed");
  }

  public Oops outOfBounds(Exec x, Allocation a, long offset, int size, boolean write, String what) {
    String kind = a.kind() == Allocation.Kind.KMALLOC ? "slab-out-of-bounds" : "out-of-bounds";
    return report(x, kind, a, offset, size, write, what, "allocated");
  }

  private Oops report(Exec x, String kind, Allocation a, long offset, int size, boolean write, String what,
      String regionState) {
    String fn = x.task().function();
    String badMmio = detectors.mmio().explainIndex(x, offset, a);
    ReportText r = new ReportText()
        .line((write ? "Write" : "Read") + " of size " + size + " at addr " + ReportText.hex(a.address() + offset)
            + " by task " + x.task().comm() + "/" + x.task().pid())
        .line("Access: " + what + " (" + (write ? "write" : "read") + " by " + x.task().lastCall() + ")");
    if (badMmio != null) r.line(badMmio);
    r.blank().taskLine(x).callTrace(x.task().stack(), x.task().lastCall())
        .causalChain("Causal chain (oldest first):", x.cause(what)).blank()
        .stamp("Allocated by", a.allocated());
    if (a.freed() != null) r.blank().stamp("Freed by", a.freed());
    r.blank().line("The buggy address belongs to the object at " + ReportText.hex(a.address()))
        .line(" which belongs to the cache " + a.cache() + " of size " + a.size() + " (" + a.type() + ")")
        .line("The buggy address is located " + location(offset, size, a) + " of")
        .line(" " + regionState + " " + a.size() + "-byte region [" + ReportText.hex(a.address()) + ", "
            + ReportText.hex(a.address() + a.size()) + ")");
    String detector = badMmio != null ? "bad-mmio" : "kasan";
    return new Oops(detector, "BUG: KASAN: " + kind + " in " + fn, r.build(), owner(x), x.now(), x.cpu(),
        detector + ":" + kind + ":" + fn + ":" + (write ? "write" : "read"));
  }

  private static String location(long offset, int size, Allocation a) {
    if (offset < 0) return (-offset) + " bytes to the left";
    if (offset >= a.size()) return (offset - a.size()) + " bytes to the right";
    return offset + " bytes inside";
  }

  public Oops doubleFree(Exec x, Allocation a) {
    String fn = x.task().function();
    ReportText r = new ReportText()
        .line("Free of addr " + ReportText.hex(a.address()) + " by task " + x.task().comm() + "/" + x.task().pid())
        .blank().taskLine(x).callTrace(x.task().stack(), "kfree")
        .causalChain("Causal chain (oldest first):", x.cause("kfree " + a.type())).blank()
        .stamp("Allocated by", a.allocated()).blank()
        .stamp("Freed by", a.freed()).blank()
        .line("The buggy address belongs to the object at " + ReportText.hex(a.address()))
        .line(" which belongs to the cache " + a.cache() + " of size " + a.size() + " (" + a.type() + ")");
    return new Oops("kasan", "BUG: KASAN: double-free in " + fn, r.build(), owner(x), x.now(), x.cpu(),
        "kasan:double-free:" + fn);
  }

  /**
   * A device wrote into memory that is freed or too small: the DMA engine, not a CPU, made the access, so the
   * report names the device and the transfer instead of a task.
   */
  public Oops dmaAccess(String device, Owner owner, Allocation a, long offset, int length, boolean write,
      Stamp by, String transfer) {
    boolean freed = !a.live();
    String kind = freed ? "use-after-free" : "out-of-bounds";
    ReportText r = new ReportText()
        .line("DMA " + (write ? "write" : "read") + " of size " + length + " at addr "
            + ReportText.hex(a.address() + offset) + " by device " + device + " (" + transfer + ")")
        .blank()
        .causalChain("Causal chain (oldest first):", by.cause()).blank()
        .stamp("Allocated by", a.allocated());
    if (freed) r.blank().stamp("Freed by", a.freed());
    r.blank().line("The buggy address belongs to the object at " + ReportText.hex(a.address()))
        .line(" which belongs to " + a.type() + " of size " + a.size())
        .line("The buggy address is located " + location(offset, length, a) + " of")
        .line(" " + (freed ? "freed" : "allocated") + " " + a.size() + "-byte region");
    return new Oops("kasan", "BUG: KASAN: " + kind + " in dma_" + (write ? "write" : "read") + " by " + device,
        r.build(), owner, by.timeNanos(), by.cpu(), dmaSignature(kind, write, a));
  }

  /**
   * What makes two DMA reports the same bug: the kind, the direction and the object's type, never the transfer's
   * tag, its address or its device's number (issue 17.4: a per-transfer counter made one bug 28 signatures).
   */
  static String dmaSignature(String kind, boolean write, Allocation a) {
    return "kasan:dma-" + kind + ":dma_" + (write ? "write" : "read") + ":" + a.type();
  }

  private static Owner owner(Exec x) {
    return x.task().owner() == null ? Owner.KERNEL : x.task().owner();
  }
}
