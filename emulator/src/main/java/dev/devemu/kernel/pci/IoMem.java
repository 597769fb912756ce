package dev.devemu.kernel.pci;

import dev.devemu.kernel.Resources;

/** A BAR mapped into kernel virtual address space ({@code void __iomem *}); it stays a valid Java object after iounmap. */
public final class IoMem {
  private final PciFunction function;
  private final int bar;
  private final long virtualAddress;
  private final long size;
  private final Resources.Handle handle;
  private boolean mapped = true;

  IoMem(PciFunction function, int bar, long virtualAddress, long size, Resources.Handle handle) {
    this.function = function;
    this.bar = bar;
    this.virtualAddress = virtualAddress;
    this.size = size;
    this.handle = handle;
  }

  public PciFunction function() {
    return function;
  }

  public int bar() {
    return bar;
  }

  public long virtualAddress() {
    return virtualAddress;
  }

  public long size() {
    return size;
  }

  public boolean mapped() {
    return mapped;
  }

  void unmap() {
    mapped = false;
  }

  Resources.Handle handle() {
    return handle;
  }

  @Override
  public String toString() {
    return String.format("%016x (BAR%d of %s)", virtualAddress, bar, function);
  }
}
