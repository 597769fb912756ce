package dev.devemu.kernel.fs;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Op;

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
    x.kernel().detectors().mightSleep(x, what);
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
      return file.mm().copyTo(dst, b, 0, 4) == 0 ? 0 : -dev.devemu.kernel.Errno.EFAULT;
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
