package dev.devemu.driver.api.pci;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.Revocable;
import dev.devemu.kernel.pci.IoMem;
import dev.devemu.kernel.pci.PciCore;
import dev.devemu.uapi.Errno;

/**
 * A mapped BAR as the safe flavour holds it ({@code Devres<Bar<SIZE>>}): every access checks the offset against
 * the BAR's size and goes through a revocable handle, so that after unbind it fails with ENXIO instead of
 * touching an unmapped address.
 */
public final class Bar {
  private final Revocable<IoMem> mem;
  private final long size;

  Bar(Revocable<IoMem> mem, long size) {
    this.mem = mem;
    this.size = size;
  }

  public long size() {
    return size;
  }

  public Fallible<Integer> read32(long offset) {
    if (offset < 0 || offset + 4 > size) return Fallible.err(Errno.EINVAL);
    return mem.tryAccess(io -> Fallible.lift(PciCore.ioread32(io, offset)));
  }

  public Fallible<Void> write32(long offset, int value) {
    if (offset < 0 || offset + 4 > size) return Fallible.err(Errno.EINVAL);
    return mem.tryAccess(io -> Fallible.lift(PciCore.iowrite32(io, offset, value)));
  }

  public Fallible<Long> read64(long offset) {
    if (offset < 0 || offset + 8 > size) return Fallible.err(Errno.EINVAL);
    return mem.tryAccess(io -> Fallible.lift(PciCore.ioread(io, offset, 8)));
  }

  public Fallible<Void> write64(long offset, long value) {
    if (offset < 0 || offset + 8 > size) return Fallible.err(Errno.EINVAL);
    return mem.tryAccess(io -> Fallible.lift(PciCore.iowrite(io, offset, 8, value)));
  }

  Revocable<IoMem> revocable() {
    return mem;
  }
}
