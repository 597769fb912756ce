package dev.devemu.kernel.fs;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.FieldArray;
import dev.devemu.kernel.mem.KernelMemory;

/**
 * copy_to_user / copy_from_user / put_user / get_user against the calling process's memory. Each may fault in a
 * page, so each may sleep: called under a spinlock or in interrupt context it is reported by might_fault(), as
 * the kernel does with CONFIG_DEBUG_ATOMIC_SLEEP. A bad user pointer is not a kernel bug: the call returns the
 * bytes it could not copy (or -EFAULT), and the driver is expected to turn that into -EFAULT.
 */
public final class Uaccess {
  /** Bytes read from user memory and how many of the requested ones could not be read (zero-filled). */
  public record UserBytes(byte[] bytes, long notCopied) {
    public boolean ok() {
      return notCopied == 0;
    }
  }

  private Uaccess() {}

  private static void mightFault(Exec x, String what) {
    x.kernel().bugs().mightSleep(x, what);
  }

  /** copy_to_user: returns the number of bytes not copied (0 on success). */
  public static Op<Long> copyToUser(File file, long dst, byte[] src, int length) {
    return Op.step("copy_to_user", x -> {
      mightFault(x, "copy_to_user");
      if (length > src.length) throw new IllegalArgumentException("copy_to_user of " + length + " bytes from a "
          + src.length + "-byte kernel buffer");
      return file.mm().copyTo(dst, src, 0, length);
    });
  }

  /**
   * copy_to_user straight out of a driver struct ({@code copy_to_user(buf, d->config, n)}). As
   * {@code _copy_to_user} in {@code include/linux/uaccess.h}: might_fault, then access_ok on the user range, then
   * KASAN checks the whole kernel source ({@code instrument_copy_to_user}) — reading past the array and out of
   * the object is a slab-out-of-bounds report — and the copy faults the user pages in.
   *
   * @return the number of bytes not copied
   */
  public static Op<Long> copyToUser(File file, long dst, FieldArray<Byte> src, int from, int length) {
    return Op.step("copy_to_user", x -> {
      mightFault(x, "copy_to_user");
      if (!UserMemory.rangeOk(dst, length)) return (long) length;
      byte[] bytes = KernelMemory.of(x.kernel()).readBytes(x, src, from, length);
      return file.mm().copyTo(dst, bytes, 0, length);
    });
  }

  /**
   * __copy_to_user_inatomic out of a driver struct, called with page faults disabled: no might_fault (it cannot
   * sleep), and it stops at the first user page that is not resident instead of faulting it in. A driver that
   * gets a short count back must drop its locks before it retries with copy_to_user.
   *
   * @return the number of bytes not copied
   */
  public static Op<Long> copyToUserInatomic(File file, long dst, FieldArray<Byte> src, int from, int length) {
    return Op.step("__copy_to_user_inatomic", x -> {
      if (!UserMemory.rangeOk(dst, length)) return (long) length;
      byte[] bytes = KernelMemory.of(x.kernel()).readBytes(x, src, from, length);
      return file.mm().copyToInatomic(dst, bytes, 0, length);
    });
  }

  /**
   * copy_from_user straight into a driver struct ({@code copy_from_user(d->config, argp, n)}): the destination is
   * written as a whole — KASAN and KCSAN see the write — and, as {@code _copy_from_user} does, the bytes that
   * could not be read are zeroed, so a bad pointer clobbers the destination with zeros.
   *
   * @return the number of bytes not copied
   */
  public static Op<Long> copyFromUser(File file, FieldArray<Byte> dst, int from, long src, int length) {
    return Op.step("copy_from_user", x -> {
      mightFault(x, "copy_from_user");
      byte[] buf = new byte[Math.max(0, length)];
      long missing = UserMemory.rangeOk(src, length) ? file.mm().copyFrom(src, buf, 0, buf.length) : buf.length;
      KernelMemory.of(x.kernel()).writeBytes(x, dst, from, buf);
      return missing;
    });
  }

  /** copy_from_user: the bytes (zero-filled where unreadable) and how many could not be copied. */
  public static Op<UserBytes> copyFromUser(File file, long src, int length) {
    return Op.step("copy_from_user", x -> {
      mightFault(x, "copy_from_user");
      byte[] buf = new byte[Math.max(0, length)];
      long missing = file.mm().copyFrom(src, buf, 0, buf.length);
      return new UserBytes(buf, missing);
    });
  }

  /** put_user of a 32-bit value: 0 or -EFAULT. */
  public static Op<Integer> putUser32(File file, long dst, int value) {
    return Op.step("put_user", x -> {
      mightFault(x, "put_user");
      byte[] b = {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)};
      return file.mm().copyTo(dst, b, 0, 4) == 0 ? 0 : -dev.devemu.uapi.Errno.EFAULT;
    });
  }

  /** get_user of a 32-bit value: the value, or null on a bad pointer (the caller returns -EFAULT). */
  public static Op<Integer> getUser32(File file, long src) {
    return Op.step("get_user", x -> {
      mightFault(x, "get_user");
      byte[] b = new byte[4];
      if (file.mm().copyFrom(src, b, 0, 4) != 0) return null;
      return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    });
  }
}
