package dev.devemu.kernel.mem;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Stamp;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Every byte a driver allocates, as KASAN's shadow memory sees it. Addresses come from a bump allocator and are
 * never reused within a run (an infinite quarantine), so every use-after-free is caught, and the same seed gives
 * the same addresses in every JVM.
 */
public final class KernelMemory {
  public static final Kernel.Key<KernelMemory> KEY = new Kernel.Key<>("memory");

  /** The memory of {@code kernel}. */
  public static KernelMemory of(Kernel kernel) {
    return kernel.subsystem(KEY);
  }

  static final long DIRECT_MAP_BASE = 0xffff888100000000L;
  static final long NULL_GUARD = 4096;

  private final Kernel kernel;
  /**
   * Every allocation of the run, live or freed, by address. Addresses only grow (a bump allocator, never reused),
   * so appending keeps the array sorted: a binary search finds a region, and there is no map entry per object.
   */
  private Allocation[] byAddress = new Allocation[64];
  private int allocations;
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
    Allocation a = new Allocation(address, size, type, kind, ownerOf(x), Stamp.of(x, text(true, type)));
    if (allocations == byAddress.length) byAddress = java.util.Arrays.copyOf(byAddress, allocations * 2);
    byAddress[allocations++] = a;
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
      kernel.report(checks().doubleFree(x, a));
      return;
    }
    a.markFreed(Stamp.of(x, text(false, a.type())));
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
   * A marked access ({@code READ_ONCE}, {@code test_bit}, an atomic): KASAN checks it, the data-race detector does
   * not count it as a plain access.
   */
  public <T> T readOnce(Exec x, Field<T> f) {
    touchMarked(x, f.owner(), f.offset(), f.size(), false, f.qualifiedName());
    return f.get();
  }

  /** {@code WRITE_ONCE}, {@code set_bit}, an atomic store: checked by KASAN, not a plain access for KCSAN. */
  public <T> void writeOnce(Exec x, Field<T> f, T value) {
    touchMarked(x, f.owner(), f.offset(), f.size(), true, f.qualifiedName());
    f.set(value);
  }

  private void touchMarked(Exec x, KStruct s, long offset, int size, boolean write, String what) {
    Allocation a = s.allocation();
    if (a == null) throw kernel.fatal(kernel.bugs().nullPointer(x, offset, write, what));
    if (!a.live()) {
      kernel.report(checks().useAfterFree(x, a, offset, size, write, what));
    } else if (offset < 0 || offset + size > a.size()) {
      kernel.report(checks().outOfBounds(x, a, offset, size, write, what));
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

  /**
   * A bulk read of {@code length} bytes of a byte array field from element {@code from} ({@code memcpy} out of a
   * struct, the source of a {@code copy_to_user}): one access over the whole range, so reading past the array is
   * an out-of-bounds report when it leaves the object. Bytes outside the array read as zero.
   */
  public byte[] readBytes(Exec x, FieldArray<Byte> a, int from, int length) {
    touch(x, a.owner(), a.offset() + (long) from * a.elementSize(), length * a.elementSize(), false,
        a.qualifiedName(), -1);
    byte[] out = new byte[Math.max(0, length)];
    for (int i = 0; i < out.length; i++) {
      int at = from + i;
      Byte b = at >= 0 && at < a.count() ? a.get(at) : null;
      out[i] = b == null ? 0 : b;
    }
    return out;
  }

  /** A bulk write into a byte array field ({@code memcpy} into a struct, the target of a copy_from_user). */
  public void writeBytes(Exec x, FieldArray<Byte> a, int from, byte[] bytes) {
    touch(x, a.owner(), a.offset() + (long) from * a.elementSize(), bytes.length * a.elementSize(), true,
        a.qualifiedName(), -1);
    for (int i = 0; i < bytes.length; i++) {
      int at = from + i;
      if (at >= 0 && at < a.count()) a.set(at, bytes[i]);
    }
  }

  /** @param index the array index, or -1: named in reports only, so no string is built per access */
  private void touch(Exec x, KStruct s, long offset, int size, boolean write, String what, int index) {
    Allocation a = s.allocation();
    if (a == null) {
      throw kernel.fatal(kernel.bugs().nullPointer(x, offset, write, indexed(what, index)));
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
      kernel.report(checks().useAfterFree(x, a, offset, size, write, indexed(what, index)));
    } else if (offset < 0 || offset + size > a.size()) {
      kernel.report(checks().outOfBounds(x, a, offset, size, write, indexed(what, index)));
    }
    checks().access(x, a, offset, size, write, what);
  }

  /** The region containing {@code address} (live or freed), or null. */
  public Allocation find(long address) {
    // the last region that starts at or below the address
    int lo = 0;
    int hi = allocations - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (byAddress[mid].address() <= address) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0) return null;
    Allocation a = byAddress[hi];
    return address < a.address() + a.size() + 64 ? a : null;
  }

  /** Live regions allocated by a driver instance, oldest first. */
  public List<Allocation> liveOwnedBy(Owner owner) {
    List<Allocation> out = new ArrayList<>();
    for (int i = 0; i < allocations; i++) {
      Allocation a = byAddress[i];
      if (a.live() && owner.equals(a.owner())) out.add(a);
    }
    return out;
  }

  /**
   * "alloc struct my_pcie_data", "free …": one string per verb and type for the whole JVM, so a stamp needs
   * neither a string nor a lambda of its own. Types are a driver's few names; the cache stops growing at a bound
   * all the same, in case some driver names each buffer differently.
   */
  private static String text(boolean alloc, String type) {
    String[] texts = TEXTS.get(type);
    if (texts == null) {
      texts = new String[] {"alloc " + type, "free " + type};
      if (TEXTS.size() < 4096) TEXTS.putIfAbsent(type, texts);
    }
    return alloc ? texts[0] : texts[1];
  }

  private static final java.util.concurrent.ConcurrentHashMap<String, String[]> TEXTS =
      new java.util.concurrent.ConcurrentHashMap<>();

  public long liveBytes() {
    return liveBytes;
  }

  private static Owner ownerOf(Exec x) {
    return x.task().owner() == null ? Owner.KERNEL : x.task().owner();
  }

  /** Found when first needed: the checkers are installed after memory, which they watch. */
  private MemoryChecks checks() {
    MemoryChecks c = checks;
    if (c == null) checks = c = MemoryChecks.of(kernel);
    return c;
  }

  private MemoryChecks checks;
}
