package dev.devemu.kernel.detect;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.ReportText;
import dev.devemu.kernel.mem.Allocation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bad MMIO: an access through a BAR mapping that was never made or was already torn down, and values read from a
 * surprise-removed device (all ones) that a driver then uses as an index or a length.
 */
public final class MmioCheck {
  /** The all-ones value a read from a device that is gone returns (a PCIe Unsupported Request). */
  public static final long ALL_ONES_32 = 0xFFFFFFFFL;

  private record AllOnes(String device, String register, long timeNanos) {}

  private final Kernel kernel;
  private final Map<Integer, AllOnes> lastAllOnes = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Integer, AllOnes> eldest) {
      return size() > 1024;
    }
  };

  MmioCheck(Kernel kernel) {
    this.kernel = kernel;
  }

  /**
   * Remembers the first time the running task read all ones from a device that did not answer: gone, link down,
   * or stalled until the completion timeout.
   */
  public void noteAllOnes(Exec x, String device, String register) {
    lastAllOnes.putIfAbsent(x.task().pid(), new AllOnes(device, register, x.now()));
  }

  /**
   * If an out-of-bounds index plausibly came from an all-ones read of a removed device by the same task, says
   * so (and the report is filed under bad-mmio instead of plain KASAN).
   */
  String explainIndex(Exec x, long offset, Allocation a) {
    AllOnes seen = lastAllOnes.get(x.task().pid());
    if (seen == null || (offset >= 0 && offset < a.size())) return null;
    return "The index or length came from " + seen.register() + " of " + seen.device()
        + ", read as all ones at " + ReportText.time(seen.timeNanos())
        + ": the device did not answer (removed, link down, or a completion timeout)";
  }

  /**
   * True if {@code value} looks like all ones of some width (0xff, 0xffff, 0xffffffff, -1) and the running task
   * read all ones from a removed device: a driver about to use it as a length or an address is trusting a dead
   * device.
   */
  public boolean fromDeadDevice(Exec x, long value) {
    boolean allOnes = value == -1 || value == 0xFFL || value == 0xFFFFL || value == ALL_ONES_32
        || value == (int) ALL_ONES_32;
    return allOnes && lastAllOnes.containsKey(x.task().pid());
  }

  /**
   * A length that came from an all-ones read (checked where a driver hands a length to the kernel, e.g.
   * dma_map_single): reported at once as bad MMIO, with where the value came from; null if the length is fine
   * or not from a dead device (then KASAN still checks the access it leads to).
   */
  public Oops lengthFromDeadDevice(Exec x, long length, long limit, String what) {
    if (length <= limit || !fromDeadDevice(x, length)) return null;
    AllOnes seen = lastAllOnes.get(x.task().pid());
    String fn = x.task().function();
    ReportText r = new ReportText()
        .line(what + ": length " + length + " (0x" + Long.toHexString(length) + ") exceeds the " + limit
            + "-byte buffer")
        .line("The length came from " + seen.register() + " of " + seen.device() + ", read as all ones at "
            + ReportText.time(seen.timeNanos()) + " after the device was removed")
        .taskLine(x).callTrace(x.task().stack(), x.task().lastCall())
        .causalChain("Causal chain (oldest first):", x.cause(what));
    return new Oops("bad-mmio", "BUG: KASAN: slab-out-of-bounds in " + fn + " (length from a removed device)",
        r.build(), dev.devemu.kernel.Bugs.owner(x), x.now(), x.cpu(), "bad-mmio:all-ones-length:" + fn + ":" + what);
  }

  /**
   * A pointer that came from an all-ones read (a descriptor address, a ring pointer read back from the device):
   * dereferencing it faults at the top of the address space; the report says where the value came from.
   */
  public Oops pointerFromDeadDevice(Exec x, long address, boolean write, String what) {
    AllOnes seen = lastAllOnes.get(x.task().pid());
    String origin = seen == null ? "" : " (the pointer came from " + seen.register() + " of " + seen.device()
        + ", read as all ones after the device was removed)";
    return kernel.bugs().unmapped(x, "bad-mmio", address, write, what + origin);
  }

  /** An access through an unmapped or NULL BAR mapping; fatal to the task. */
  public Oops unmappedBar(Exec x, long address, boolean write, String what) {
    if (Long.compareUnsigned(address, 4096) < 0) return kernel.bugs().nullPointer(x, address, write, what);
    return kernel.bugs().unmapped(x, "bad-mmio", address, write, what);
  }
}
