package dev.devemu.kernel.fs;

import dev.devemu.kernel.Op;
import dev.devemu.uapi.Errno;

/**
 * {@code struct file_operations} with C semantics: return codes, raw user addresses, {@code private_data} as an
 * untyped pointer. A missing operation behaves as the VFS does without one: read/write give -EINVAL, ioctl
 * -ENOTTY. Both driver flavours end up here; the safe one through {@code driver.api.file}.
 */
public interface FileOperations {
  /** open: 0 or -errno. */
  default Op<Integer> open(File file) {
    return Op.rc(0);
  }

  /** release, on the last close; its return value is ignored by the VFS, as in Linux. */
  default Op<Integer> release(File file) {
    return Op.rc(0);
  }

  /** read: bytes read (0 at end of file) or -errno; {@code userBuf} is an address in the caller's memory. */
  default Op<Long> read(File file, long userBuf, long count) {
    return Op.pure((long) -Errno.EINVAL);
  }

  /** write: bytes written or -errno. */
  default Op<Long> write(File file, long userBuf, long count) {
    return Op.pure((long) -Errno.EINVAL);
  }

  /** unlocked_ioctl: a value ≥ 0 or -errno; an unknown command should give -ENOTTY. */
  default Op<Long> unlockedIoctl(File file, int cmd, long arg) {
    return Op.pure((long) -Errno.ENOTTY);
  }
}
