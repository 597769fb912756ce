package dev.devemu.driver.api;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.KStruct;

/**
 * Rust's {@code Arc<T>} over tracked kernel memory: the struct is freed when the last handle is dropped, so data
 * shared between a device binding and the files open on it lives exactly as long as its last user — an unbind
 * while a process holds the device open cannot free it under the process's feet. Each handle is dropped once;
 * dropping a handle twice is a bug in the driver model (Rust's ownership would not compile it).
 */
public final class KArc<S extends KStruct> {
  /** The count shared by every handle of one allocation. */
  private static final class Count {
    int value = 1;
  }

  private final S value;
  private final Count count;
  private boolean dropped;

  private KArc(S value, Count count) {
    this.value = value;
    this.count = count;
  }

  /**
   * {@code Arc::new}: allocates the struct; Err(ENOMEM) if allocation fails. The memory belongs to the count, not
   * to the binding that made it: its last user frees it, so it is not a leak when an unbind leaves a file holding
   * a handle (it is exempt from the unbind leak check, as a referenced object is from kmemleak).
   */
  public static <S extends KStruct> Fallible<KArc<S>> create(S struct) {
    return Mem.kboxNew(struct).map(s -> {
      s.allocation().markRefcounted();
      return new KArc<>(s, new Count());
    });
  }

  /** The struct; valid while this handle is not dropped. */
  public S get() {
    if (dropped) throw new IllegalStateException("use of a dropped Arc<" + value.typeName() + ">");
    return value;
  }

  /** {@code Arc::clone}: a new handle (refcount_inc). */
  public Op<KArc<S>> cloneRef() {
    return Op.step("refcount_inc", x -> {
      if (dropped) throw new IllegalStateException("clone of a dropped Arc<" + value.typeName() + ">");
      count.value++;
      return new KArc<>(value, count);
    });
  }

  /** Drops this handle; the last one frees the struct (refcount_dec_and_test + kfree). */
  public Op<Void> drop() {
    return Op.step("refcount_dec_and_test", x -> {
      if (dropped) throw new IllegalStateException("double drop of Arc<" + value.typeName() + ">");
      dropped = true;
      return --count.value == 0;
    }).then(last -> last ? Mem.kfree(value) : Op.done());
  }

  /** Handles still alive for this allocation (for tests and reports). */
  public int strongCount() {
    return count.value;
  }
}
