package dev.devemu.driver.api;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.spec.DmaDirection;

/**
 * The DMA API as a raw (C-style) driver calls it, one kernel step each: coherent buffers and streaming mappings.
 * A failure is a null mapping, as C's NULL / {@code dma_mapping_error}, for the caller to check (or forget to).
 * The checks (a device writing into a buffer freed or unmapped, a mapping freed twice) are the kernel's, as
 * dma-debug and KASAN make them.
 */
public final class DmaApi {
  private DmaApi() {}

  /**
   * dma_alloc_coherent: a buffer of {@code size} bytes the device and the CPU share, with its bus address
   * ({@link Dma.Mapping#iova()}); null when allocation fails (fault point {@code dma_alloc_coherent}).
   *
   * @param type what the buffer holds, as reports name it (e.g. {@code "ipu6 frame-info ring"})
   */
  public static Op<Dma.Mapping> allocCoherent(int size, String type) {
    return Op.step("dma_alloc_coherent", x -> Dma.of(x.kernel()).allocCoherent(x, size, type));
  }

  /** dma_free_coherent: unmaps and frees a coherent buffer. Freeing one twice is the kernel's warning. */
  public static Op<Void> freeCoherent(Dma.Mapping buffer) {
    return Op.step("dma_free_coherent", x -> {
      Dma.of(x.kernel()).unmap(x, buffer);
      return null;
    });
  }

  /**
   * dma_map_single: maps {@code length} bytes of a kmalloc'ed buffer for one transfer direction; null when the
   * mapping fails.
   */
  public static Op<Dma.Mapping> mapSingle(Allocation buffer, int length, DmaDirection direction) {
    return Op.step("dma_map_single", x -> Dma.of(x.kernel()).map(x, buffer, 0, length, direction));
  }

  /** dma_unmap_single: ends a streaming mapping; the buffer stays allocated (kfree it afterwards). */
  public static Op<Void> unmapSingle(Dma.Mapping mapping) {
    return Op.step("dma_unmap_single", x -> {
      Dma.of(x.kernel()).unmap(x, mapping);
      return null;
    });
  }
}
