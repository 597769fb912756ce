package dev.devemu.kernel.dma;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Stamp;
import dev.devemu.kernel.detect.Detectors;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.spec.DmaDirection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The DMA API: streaming mappings ({@code dma_map_single}) and coherent buffers ({@code dma_alloc_coherent}),
 * each giving the device a bus address (IOVA) for a region of kernel memory. With {@code CONFIG_DMA_API_DEBUG}'s
 * checks: unmapping what was never mapped and leaving mappings behind at unbind are reported.
 *
 * <p>With the IOMMU on, a device access outside a live mapping is blocked and reported as a DMAR fault; with it
 * off (direct mapping), the access lands in whatever memory is there, and KASAN catches the corruption.
 */
public final class Dma {
  public static final Kernel.Key<Dma> KEY = new Kernel.Key<>("DMA API");

  /** The DMA API of {@code kernel}. */
  public static Dma of(Kernel kernel) {
    return kernel.subsystem(KEY);
  }

  /** One mapping of a buffer into the device's address space. */
  public static final class Mapping {
    private final long iova;
    private final Allocation buffer;
    private final long offset;
    private final int length;
    private final DmaDirection direction;
    private final Owner owner;
    private final Stamp mapped;
    private final boolean coherent;
    private boolean live = true;

    Mapping(long iova, Allocation buffer, long offset, int length, DmaDirection direction, Owner owner, Stamp mapped,
        boolean coherent) {
      this.iova = iova;
      this.buffer = buffer;
      this.offset = offset;
      this.length = length;
      this.direction = direction;
      this.owner = owner;
      this.mapped = mapped;
      this.coherent = coherent;
    }

    public long iova() {
      return iova;
    }

    public Allocation buffer() {
      return buffer;
    }

    public long offset() {
      return offset;
    }

    public int length() {
      return length;
    }

    public DmaDirection direction() {
      return direction;
    }

    public Owner owner() {
      return owner;
    }

    public Stamp mappedBy() {
      return mapped;
    }

    public boolean coherent() {
      return coherent;
    }

    public boolean live() {
      return live;
    }
  }

  /** x86-64 PAGE_OFFSET: the direct map starts here, so phys = virt - PAGE_OFFSET. */
  public static final long PAGE_OFFSET = 0xffff888000000000L;

  private final Kernel kernel;
  // Several live mappings may share a bus address (the same buffer mapped twice without an IOMMU) or overlap
  // (two parts of one buffer), as dma-debug allows: a list per start address, searched back by the longest length.
  private final TreeMap<Long, List<Mapping>> byIova = new TreeMap<>();
  private long longest;
  private long nextIova = 0x1_0000_0000L;
  private boolean iommu;

  public Dma(Kernel kernel) {
    this.kernel = kernel;
  }

  public void iommu(boolean on) {
    this.iommu = on;
  }

  public boolean iommu() {
    return iommu;
  }

  /**
   * dma_map_single: returns the mapping, or null when it fails ({@code dma_mapping_error}); fault point
   * {@code dma_map}.
   */
  public Mapping map(Exec x, Allocation buffer, long offset, int length, DmaDirection dir) {
    if (buffer == null) throw kernel.fatal(kernel.bugs().nullPointer(x, 0, false, "dma_map_single"));
    if (kernel.faults().inject("dma_map", x.task().function())) return null;
    if (!buffer.live()) {
      kernel.report(Detectors.of(kernel).kasan().useAfterFree(x, buffer, offset, length, false, "dma_map_single"));
    }
    Oops deadLength = Detectors.of(kernel).mmio().lengthFromDeadDevice(x, Integer.toUnsignedLong(length),
        buffer.size() - offset, "dma_map_single");
    if (deadLength != null) kernel.report(deadLength);
    return add(x, buffer, offset, length, dir, false);
  }

  /**
   * dma_alloc_coherent: a buffer and its mapping together; null when allocation fails (fault point
   * {@code dma_alloc_coherent}).
   */
  public Mapping allocCoherent(Exec x, int size, String type) {
    if (kernel.faults().inject("dma_alloc_coherent", x.task().function())) return null;
    Allocation a = KernelMemory.of(kernel).allocate(x, size, type, Allocation.Kind.DMA_COHERENT);
    if (a == null) return null;
    return add(x, a, 0, size, DmaDirection.BIDIRECTIONAL, true);
  }

  private Mapping add(Exec x, Allocation buffer, long offset, int length, DmaDirection dir, boolean coherent) {
    long iova;
    if (iommu) {
      iova = nextIova;
      nextIova += (length + 4095L) / 4096 * 4096 + 4096;
    } else {
      iova = buffer.address() + offset - PAGE_OFFSET;
    }
    Owner owner = x.task().owner() == null ? Owner.KERNEL : x.task().owner();
    Mapping m = new Mapping(iova, buffer, offset, length, dir, owner, Stamp.of(x, "dma map"), coherent);
    byIova.computeIfAbsent(iova, k -> new ArrayList<>(1)).add(m);
    longest = Math.max(longest, length);
    return m;
  }

  /** dma_unmap_single / dma_free_coherent (which also frees the buffer). */
  public void unmap(Exec x, Mapping m) {
    if (m == null || !m.live) {
      kernel.report(kernel.bugs().warning(x, "DMA-API: device driver tries to free DMA memory it has not "
          + "allocated [device address=0x" + (m == null ? "0" : Long.toHexString(m.iova)) + "]", "dma_unmap"));
      return;
    }
    m.live = false;
    forget(m);
    if (m.coherent) KernelMemory.of(kernel).free(x, m.buffer);
  }

  /** Releases a mapping without a task (device-managed release after remove). */
  public void release(Mapping m, Stamp stamp) {
    if (m == null || !m.live) return;
    m.live = false;
    forget(m);
    if (m.coherent) KernelMemory.of(kernel).releaseManaged(m.buffer, stamp);
  }

  private void forget(Mapping m) {
    List<Mapping> at = byIova.get(m.iova);
    if (at == null) return;
    at.remove(m);
    if (at.isEmpty()) byIova.remove(m.iova);
  }

  /** The live mapping covering {@code iova} (the most recent one if several do), or null. */
  public Mapping lookup(long iova) {
    for (Map.Entry<Long, List<Mapping>> e : byIova.headMap(iova, true).descendingMap().entrySet()) {
      if (e.getKey() <= iova - longest) break;
      List<Mapping> ms = e.getValue();
      for (int i = ms.size() - 1; i >= 0; i--) {
        if (iova < ms.get(i).iova + ms.get(i).length) return ms.get(i);
      }
    }
    return null;
  }

  /** The kernel virtual address a bus address reaches under direct mapping (no IOMMU): phys + PAGE_OFFSET. */
  public static long directMapVirtual(long busAddress) {
    return busAddress + PAGE_OFFSET;
  }

  public List<Mapping> liveOwnedBy(Owner owner) {
    List<Mapping> out = new ArrayList<>();
    for (List<Mapping> ms : byIova.values()) {
      for (Mapping m : ms) {
        if (m.owner.equals(owner)) out.add(m);
      }
    }
    return out;
  }
}
