package dev.devemu.kernel.mem;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Owner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Every byte a driver allocates, as KASAN's shadow memory sees it. Addresses come from a bump allocator and are
 * never reused within a run (an infinite quarantine), so every use-after-free is caught, and the same seed gives
 * the same addresses in every JVM.
 */
public final class KernelMemory {
  static final long DIRECT_MAP_BASE = 0xffff888100000000L;
  static final long NULL_GUARD = 4096;

  private final Kernel kernel;
  private final TreeMap<Long, Allocation> byAddress = new TreeMap<>();
  private long next = DIRECT_MAP_BASE;
  private Predicate<Exec> failAllocation = x -> false;
  private long liveBytes;

  public KernelMemory(Kernel kernel) {
    this.kernel = kernel;
  }

  /** Fault injection: decides, per allocation, whether it fails with -ENOMEM. */
  public void failAllocationsWhen(Predicate<Exec> policy) {
    this.failAllocation = policy;
  }

  /** kmalloc/kzalloc/dma_alloc_coherent: a new region, or null if allocation fails (fault injection). */
  public Allocation allocate(Exec x, int size, String type, Allocation.Kind kind) {
    if (size <= 0) {
      // kmalloc(0) returns ZERO_SIZE_PTR; any access through it faults like NULL.
      return null;
    }
    if (failAllocation.test(x)) return null;
    long address = next;
    next += (size + 63L) / 64 * 64 + 64; // 64-byte aligned with a redzone between objects
    Allocation a = new Allocation(address, size, type, kind, ownerOf(x), Stamp.of(x, () -> "alloc " + type));
    byAddress.put(address, a);
    liveBytes += size;
    return a;
  }

  /** Allocates the memory behind a driver struct; returns false if allocation failed (the pointer is NULL). */
  public boolean allocate(Exec x, KStruct struct) {
    Allocation a = allocate(x, struct.size(), struct.typeName(), Allocation.Kind.KMALLOC);
    if (a == null) return false;
    struct.bind(a);
    return true;
  }

  /** kfree: a second free of the same region is a double-free report. kfree(NULL) is fine. */
  public void free(Exec x, Allocation a) {
    if (a == null) return;
    if (!a.live()) {
      kernel.report(kernel.detectors().kasan().doubleFree(x, a));
      return;
    }
    a.markFreed(Stamp.of(x, () -> "free " + a.type()));
    liveBytes -= a.size();
  }

  public void free(Exec x, KStruct struct) {
    free(x, struct.allocation());
  }

  /** Releases device-managed memory without a task (the driver core after remove). */
  public void releaseManaged(Allocation a, Stamp stamp) {
    if (a.live()) {
      a.markFreed(stamp);
      liveBytes -= a.size();
    }
  }

  public <T> T read(Exec x, Field<T> f) {
    touch(x, f.owner(), f.offset(), f.size(), false, f.qualifiedName(), -1);
    return f.get();
  }

  public <T> void write(Exec x, Field<T> f, T value) {
    touch(x, f.owner(), f.offset(), f.size(), true, f.qualifiedName(), -1);
    f.set(value);
  }

  /**
   * READ_ONCE/atomic_read, or a read under the subsystem's own lock, by core kernel code: KASAN checks it (a freed
   * object handed to the core is still a use-after-free), KCSAN does not (the kernel's synchronisation covers it).
   */
  public <T> T readOnce(Exec x, Field<T> f) {
    touchOnce(x, f, false);
    return f.get();
  }

  /** WRITE_ONCE/atomic_set or a write under the subsystem's lock by core code; see {@link #readOnce}. */
  public <T> void writeOnce(Exec x, Field<T> f, T value) {
    touchOnce(x, f, true);
    f.set(value);
  }

  private void touchOnce(Exec x, Field<?> f, boolean write) {
    Allocation a = f.owner().allocation();
    if (a == null) {
      throw kernel.fatal(kernel.detectors().nullDeref().nullPointer(x, f.offset(), write, f.qualifiedName()));
    }
    if (!a.live()) {
      kernel.report(kernel.detectors().kasan().useAfterFree(x, a, f.offset(), f.size(), write, f.qualifiedName()));
    }
  }

  /** Reads element {@code i}; out of range is an out-of-bounds report and yields null. */
  public <T> T read(Exec x, FieldArray<T> a, int i) {
    touch(x, a.owner(), a.offset() + (long) i * a.elementSize(), a.elementSize(), false, a.qualifiedName(), i);
    return i >= 0 && i < a.count() ? a.get(i) : null;
  }

  public <T> void write(Exec x, FieldArray<T> a, int i, T value) {
    touch(x, a.owner(), a.offset() + (long) i * a.elementSize(), a.elementSize(), true, a.qualifiedName(), i);
    if (i >= 0 && i < a.count()) a.set(i, value);
  }

  /** @param index the array index, or -1: named in reports only, so no string is built per access */
  private void touch(Exec x, KStruct s, long offset, int size, boolean write, String what, int index) {
    Allocation a = s.allocation();
    if (a == null) {
      throw kernel.fatal(kernel.detectors().nullDeref().nullPointer(x, offset, write, indexed(what, index)));
    }
    access(x, a, offset, size, write, what, index);
  }

  private static String indexed(String what, int index) {
    return index < 0 ? what : what + "[" + index + "]";
  }

  /** A CPU access of {@code size} bytes at {@code offset} into {@code a}: checked for use-after-free and bounds. */
  public void access(Exec x, Allocation a, long offset, int size, boolean write, String what) {
    access(x, a, offset, size, write, what, -1);
  }

  private void access(Exec x, Allocation a, long offset, int size, boolean write, String what, int index) {
    if (!a.live()) {
      kernel.report(kernel.detectors().kasan().useAfterFree(x, a, offset, size, write, indexed(what, index)));
    } else if (offset < 0 || offset + size > a.size()) {
      kernel.report(kernel.detectors().kasan().outOfBounds(x, a, offset, size, write, indexed(what, index)));
    }
    kernel.detectors().kcsan().access(x, a, offset, size, write, what);
  }

  /** The region containing {@code address} (live or freed), or null. */
  public Allocation find(long address) {
    Map.Entry<Long, Allocation> e = byAddress.floorEntry(address);
    if (e == null) return null;
    Allocation a = e.getValue();
    return address < a.address() + a.size() + 64 ? a : null;
  }

  /** Live regions allocated by a driver instance, oldest first. */
  public List<Allocation> liveOwnedBy(Owner owner) {
    List<Allocation> out = new ArrayList<>();
    for (Allocation a : byAddress.values()) {
      if (a.live() && owner.equals(a.owner())) out.add(a);
    }
    return out;
  }

  public long liveBytes() {
    return liveBytes;
  }

  private static Owner ownerOf(Exec x) {
    return x.task().owner() == null ? Owner.KERNEL : x.task().owner();
  }
}
