package dev.devemu.driver.api;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.FieldArray;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.mem.KernelMemory;

/**
 * Tracked memory for driver code: allocating a struct and touching its fields, each a kernel step that KASAN
 * and KCSAN see. Fault point {@code kmalloc}.
 */
public final class Mem {
  private Mem() {}

  /**
   * kzalloc: returns the struct; if allocation failed its {@link KStruct#allocation()} is null and any access
   * through it is a NULL dereference — C lets a caller forget to check.
   */
  public static <S extends KStruct> Op<S> kzalloc(S struct) {
    return Op.step("kzalloc", x -> {
      if (x.kernel().faults().inject("kmalloc", x.task().function())) return struct;
      KernelMemory.of(x.kernel()).allocate(x, struct);
      return struct;
    });
  }

  /**
   * The safe flavour's {@code KBox::new}: Err(ENOMEM) instead of a NULL pointer. Its owner frees it with
   * {@link #kfree} when it goes away; data that lives as long as a binding should come from the device's
   * managed {@code kzalloc} instead, which frees it on every path.
   */
  public static <S extends KStruct> Fallible<S> kboxNew(S struct) {
    return Fallible.of(kzalloc(struct).map(s -> s.allocation() == null ? KResult.<S>err(dev.devemu.uapi.Errno.ENOMEM)
        : KResult.ok(s)));
  }

  /**
   * kmalloc(size): a buffer of {@code size} bytes, or null when allocation fails (fault point {@code kmalloc}); C
   * lets a caller forget to check.
   */
  public static Op<Allocation> kmalloc(int size, String type) {
    return Op.step("kmalloc", x -> {
      if (x.kernel().faults().inject("kmalloc", x.task().function())) return null;
      return KernelMemory.of(x.kernel()).allocate(x, size, type, Allocation.Kind.KMALLOC);
    });
  }

  /** kfree of a buffer; kfree(NULL) is fine, a second kfree is a double-free report. */
  public static Op<Void> kfree(Allocation buffer) {
    return Op.step("kfree", x -> {
      KernelMemory.of(x.kernel()).free(x, buffer);
      return null;
    });
  }

  /**
   * A CPU access to {@code size} bytes of a buffer at {@code offset} (memcpy from or into it): KASAN and KCSAN
   * see it; through NULL it is a NULL-pointer dereference.
   */
  public static Op<Void> touch(Allocation buffer, int offset, int size, boolean write, String what) {
    return Op.step("memcpy", x -> {
      if (buffer == null) {
        throw x.kernel().fatal(x.kernel().bugs().nullPointer(x, offset, write, what));
      }
      KernelMemory.of(x.kernel()).access(x, buffer, offset, size, write, what);
      return null;
    });
  }

  /** kfree. */
  public static Op<Void> kfree(KStruct struct) {
    return Op.step("kfree", x -> {
      KernelMemory.of(x.kernel()).free(x, struct.allocation());
      return null;
    });
  }

  public static <T> Op<T> read(Field<T> f) {
    return Op.step(f.readLabel(), x -> KernelMemory.of(x.kernel()).read(x, f));
  }

  public static <T> Op<Void> write(Field<T> f, T value) {
    return Op.step(f.writeLabel(), x -> {
      KernelMemory.of(x.kernel()).write(x, f, value);
      return null;
    });
  }

  /** {@code READ_ONCE} / {@code test_bit}: a marked read (KASAN sees it, KCSAN does not count it as plain). */
  public static <T> Op<T> readOnce(Field<T> f) {
    return Op.step(f.readLabel(), x -> KernelMemory.of(x.kernel()).readOnce(x, f));
  }

  /** {@code WRITE_ONCE} / {@code set_bit}: a marked write. */
  public static <T> Op<Void> writeOnce(Field<T> f, T value) {
    return Op.step(f.writeLabel(), x -> {
      KernelMemory.of(x.kernel()).writeOnce(x, f, value);
      return null;
    });
  }

  public static <T> Op<T> read(FieldArray<T> a, int index) {
    return Op.step(a.readLabel(), x -> KernelMemory.of(x.kernel()).read(x, a, index));
  }

  public static <T> Op<Void> write(FieldArray<T> a, int index, T value) {
    return Op.step(a.writeLabel(), x -> {
      KernelMemory.of(x.kernel()).write(x, a, index, value);
      return null;
    });
  }

  /** The safe flavour's bounds-checked indexing ({@code slice.get(i)}): Err(EINVAL) instead of an overflow. */
  public static <T> Fallible<T> get(FieldArray<T> a, int index) {
    if (index < 0 || index >= a.count()) return Fallible.err(dev.devemu.uapi.Errno.EINVAL);
    return Fallible.lift(read(a, index));
  }

  public static <T> Fallible<Void> set(FieldArray<T> a, int index, T value) {
    if (index < 0 || index >= a.count()) return Fallible.err(dev.devemu.uapi.Errno.EINVAL);
    return Fallible.lift(write(a, index, value));
  }

  /** memcpy of {@code length} bytes out of a byte array field, from element {@code from}: one access. */
  public static Op<byte[]> readBytes(FieldArray<Byte> a, int from, int length) {
    return Op.step(a.readLabel(), x -> KernelMemory.of(x.kernel()).readBytes(x, a, from, length));
  }

  /** memcpy of {@code bytes} into a byte array field, from element {@code from}: one access. */
  public static Op<Void> writeBytes(FieldArray<Byte> a, int from, byte[] bytes) {
    return Op.step(a.writeLabel(), x -> {
      KernelMemory.of(x.kernel()).writeBytes(x, a, from, bytes);
      return null;
    });
  }
}
