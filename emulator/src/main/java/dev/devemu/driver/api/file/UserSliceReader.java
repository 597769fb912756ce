package dev.devemu.driver.api.file;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.fs.File;
import dev.devemu.kernel.fs.Uaccess;
import dev.devemu.uapi.Errno;

/**
 * Rust-for-Linux's {@code UserSliceReader}: a user buffer of a known length the kernel may read from. Reading more
 * than the buffer holds, or from a bad pointer, is EFAULT; the bytes are never half-initialised garbage.
 */
public final class UserSliceReader {
  private final File file;
  private long ptr;
  private long remaining;

  public UserSliceReader(File file, long ptr, long length) {
    this.file = file;
    this.ptr = ptr;
    this.remaining = Math.max(0, length);
  }

  public long len() {
    return remaining;
  }

  /** {@code read_slice}: exactly {@code n} bytes, or EFAULT. */
  public Fallible<byte[]> read(int n) {
    return Fallible.of(Op.defer(() -> {
      if (n < 0 || n > remaining) return Op.pure(KResult.<byte[]>err(Errno.EFAULT));
      long at = ptr;
      return Uaccess.copyFromUser(file, at, n).map(r -> {
        if (!r.ok()) return KResult.<byte[]>err(Errno.EFAULT);
        ptr += n;
        remaining -= n;
        return KResult.ok(r.bytes());
      });
    }));
  }

  /** Everything that is left. */
  public Fallible<byte[]> readAll() {
    return Fallible.<Long>of(Op.step("user_slice_len", x -> KResult.ok(remaining)))
        .andThen(n -> n > Integer.MAX_VALUE ? Fallible.err(Errno.EFAULT) : read((int) (long) n));
  }

  /** A 32-bit value in the CPU's byte order. */
  public Fallible<Integer> readInt() {
    return read(4).map(b -> (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24);
  }
}
