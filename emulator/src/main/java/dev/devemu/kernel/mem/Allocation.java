package dev.devemu.kernel.mem;

import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Stamp;

/** One tracked region of kernel memory: a kmalloc object, a coherent DMA buffer, a driver struct. */
public final class Allocation {
  /** Where the memory came from, which decides how KASAN names it. */
  public enum Kind {
    KMALLOC("slab"), DMA_COHERENT("dma"), STATIC("global");

    final String kasanWord;

    Kind(String kasanWord) {
      this.kasanWord = kasanWord;
    }
  }

  private final long address;
  private final int size;
  private final String type;
  private final Kind kind;
  private final Owner owner;
  private final Stamp allocated;
  private Stamp freed;
  private boolean managed;
  private boolean refcounted;
  private Object raceHistory;

  Allocation(long address, int size, String type, Kind kind, Owner owner, Stamp allocated) {
    this.address = address;
    this.size = size;
    this.type = type;
    this.kind = kind;
    this.owner = owner;
    this.allocated = allocated;
  }

  public long address() {
    return address;
  }

  public int size() {
    return size;
  }

  /** What it holds, e.g. {@code struct my_usb_data} or {@code dma buffer 4096}. */
  public String type() {
    return type;
  }

  public Kind kind() {
    return kind;
  }

  public Owner owner() {
    return owner;
  }

  public Stamp allocated() {
    return allocated;
  }

  /** Null while live. */
  public Stamp freed() {
    return freed;
  }

  public boolean live() {
    return freed == null;
  }

  void markFreed(Stamp stamp) {
    freed = stamp;
  }

  /** True for device-managed memory (devm_*): released by the driver core after remove, not a leak. */
  public boolean managed() {
    return managed;
  }

  public void markManaged() {
    managed = true;
  }

  /**
   * True for memory owned by a reference count (Rust's {@code Arc}): it is freed when the last handle drops, so
   * while it is live someone still holds it — a file opened before an unbind, say — and it is not a leak.
   */
  public boolean refcounted() {
    return refcounted;
  }

  public void markRefcounted() {
    refcounted = true;
  }

  /**
   * The data-race detector's recent accesses to this object. Kept here rather than in a map keyed by address:
   * a lookup per memory access was a measurable cost.
   */
  public Object raceHistory() {
    return raceHistory;
  }

  public void raceHistory(Object history) {
    this.raceHistory = history;
  }

  /** The kmalloc cache this size lands in ({@code kmalloc-64}). */
  public String cache() {
    if (kind != Kind.KMALLOC) return kind.name().toLowerCase();
    int c = 8;
    while (c < size) c <<= 1;
    return "kmalloc-" + c;
  }

  @Override
  public String toString() {
    return String.format("%s at %016x (%d bytes)", type, address, size);
  }
}
