package dev.devemu.driver.api.file;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.fs.File;
import dev.devemu.kernel.fs.Uaccess;
import dev.devemu.uapi.Errno;

/**
 * Rust-for-Linux's {@code UserSliceWriter}: a user buffer of a known length the kernel may write into. Writing more
 * than is left is refused with EFAULT before any byte is copied, so a driver cannot overrun the buffer user space
 * gave it; a fault while copying is EFAULT too.
 */
public final class UserSliceWriter {
  private final File file;
  private long ptr;
  private long remaining;

  public UserSliceWriter(File file, long ptr, long length) {
    this.file = file;
    this.ptr = ptr;
    this.remaining = Math.max(0, length);
  }

  /** Bytes that may still be written. */
  public long len() {
    return remaining;
  }

  public boolean isEmpty() {
    return remaining == 0;
  }

  /** {@code write_slice}: all of {@code data}, or EFAULT. */
  public Fallible<Void> write(byte[] data) {
    return Fallible.of(Op.defer(() -> {
      if (data.length > remaining) return Op.pure(KResult.<Void>err(Errno.EFAULT));
      long at = ptr;
      return Uaccess.copyToUser(file, at, data, data.length).map(notCopied -> {
        if (notCopied != 0) return KResult.<Void>err(Errno.EFAULT);
        ptr += data.length;
        remaining -= data.length;
        return KResult.<Void>ok(null);
      });
    }));
  }

  /** Writes a 32-bit value in the CPU's byte order (little endian). */
  public Fallible<Void> writeInt(int value) {
    return write(new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)});
  }
}
