package dev.devemu.kernel.detect;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;

/** The page-fault oopses: a NULL pointer dereference, or an access to an address nothing maps. */
public final class NullDeref {
  private final Kernel kernel;

  NullDeref(Kernel kernel) {
    this.kernel = kernel;
  }

  /** Dereference of a NULL pointer (plus {@code offset} into the struct it was supposed to point to). */
  public Oops nullPointer(Exec x, long offset, boolean write, String what) {
    String fn = x.task().function();
    return pageFault(x, "null-deref", "BUG: kernel NULL pointer dereference, address: " + ReportText.hex(offset),
        offset, write, what, "null-deref:" + fn + ":" + what.replaceAll("\\[\\d+\\]", "[]"));
  }

  /** An access to an unmapped kernel address (an iounmap'ed BAR, a vmalloc hole). */
  public Oops unmapped(Exec x, String detector, long address, boolean write, String what) {
    String fn = x.task().function();
    return pageFault(x, detector, "BUG: unable to handle page fault for address: " + ReportText.hex(address),
        address, write, what, detector + ":unmapped:" + fn + ":" + (write ? "write" : "read"));
  }

  private Oops pageFault(Exec x, String detector, String title, long address, boolean write, String what,
      String signature) {
    ReportText r = new ReportText()
        .line("#PF: supervisor " + (write ? "write" : "read") + " access in kernel mode")
        .line("#PF: error_code(0x000" + (write ? "2" : "0") + ") - not-present page")
        .line("Oops: 000" + (write ? "2" : "0") + " [#1] PREEMPT SMP KASAN")
        .taskLine(x)
        .line("RIP: 0010:" + x.task().function() + " (" + what + ")")
        .callTrace(x.task().stack(), x.task().lastCall())
        .causalChain("Causal chain (oldest first):", x.cause(what));
    return new Oops(detector, title, r.build(), Detectors.owner(x), x.now(), x.cpu(), signature);
  }
}
