package dev.devemu.detect;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
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

  /** An access through an unmapped or NULL BAR mapping; fatal to the task. */
  public Oops unmappedBar(Exec x, long address, boolean write, String what) {
    if (Long.compareUnsigned(address, 4096) < 0) return kernel.detectors().nullDeref().nullPointer(x, address, write, what);
    return kernel.detectors().nullDeref().unmapped(x, "bad-mmio", address, write, what);
  }
}
