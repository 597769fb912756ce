package dev.devemu.driver.api.dma;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.uapi.Errno;

/**
 * A DMA buffer with the discipline of Rust-for-Linux's {@code dma::CoherentAllocation}: its size is fixed when it
 * is allocated and is part of every address handed to the device ({@link DmaAddress}); device addresses and CPU
 * accesses are bounds-checked; it is owned (one owner frees it, once) and device-managed (its {@link DmaEngine}
 * frees it at unbind); and it can only be freed with a {@link Quiesced} proof. After it is freed every access
 * fails with ENXIO instead of touching freed memory.
 */
public final class DmaBuffer {
  private final DmaEngine engine;
  private final Allocation memory;
  private final Dma.Mapping mapping;
  private final int size;
  private final String what;
  private boolean freed;

  DmaBuffer(DmaEngine engine, Allocation memory, Dma.Mapping mapping, int size, String what) {
    this.engine = engine;
    this.memory = memory;
    this.mapping = mapping;
    this.size = size;
    this.what = what;
  }

  /** Bytes, fixed at allocation. */
  public int size() {
    return size;
  }

  public String what() {
    return what;
  }

  public boolean live() {
    return !freed;
  }

  public DmaEngine engine() {
    return engine;
  }

  /** The whole buffer as the device sees it ({@code dma_handle}); ENXIO once freed. */
  public Fallible<DmaAddress> handle() {
    return handle(0, size);
  }

  /**
   * {@code length} bytes at {@code offset} as the device sees them ({@code dma_handle_with_offset}): EINVAL if
   * the range does not lie inside the buffer, ENXIO once freed.
   */
  public Fallible<DmaAddress> handle(long offset, int length) {
    return Fallible.of(Op.step("dma_handle", x -> {
      if (freed) return KResult.<DmaAddress>err(Errno.ENXIO);
      if (offset < 0 || length <= 0 || offset + length > size) return KResult.<DmaAddress>err(Errno.EINVAL);
      return KResult.ok(new DmaAddress(mapping.iova() + offset, length));
    }));
  }

  /**
   * A CPU read of {@code length} bytes at {@code offset} (after {@code dma_sync_single_for_cpu}), e.g. the
   * embedded-data line a sensor puts before the image: EINVAL out of bounds, ENXIO once freed. The bytes are not
   * modelled, only the access, which KASAN and KCSAN see.
   */
  public Fallible<Void> cpuRead(long offset, int length, String what) {
    return Fallible.of(Op.step(what, x -> {
      if (freed) return KResult.<Void>err(Errno.ENXIO);
      if (offset < 0 || length <= 0 || offset + length > size) return KResult.<Void>err(Errno.EINVAL);
      KernelMemory.of(x.kernel()).access(x, memory, offset, length, false, what);
      return KResult.<Void>ok(null);
    }));
  }

  Allocation memory() {
    return memory;
  }

  Dma.Mapping mapping() {
    return mapping;
  }

  void markFreed() {
    freed = true;
  }

  @Override
  public String toString() {
    return what + " (" + size + " bytes" + (freed ? ", freed" : "") + ")";
  }
}
