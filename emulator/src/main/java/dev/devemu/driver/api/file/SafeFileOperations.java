package dev.devemu.driver.api.file;

import dev.devemu.driver.api.Fallible;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.fs.File;
import dev.devemu.uapi.Errno;

/**
 * File operations with Rust's discipline (Rust-for-Linux's {@code MiscDevice}): {@code open} returns the
 * per-file data {@code P} (typically a reference-counted handle to the device's data, so that it outlives an
 * unbind while the file is open), every other operation receives it typed, user memory is reached only through
 * bounded {@link UserSliceReader}/{@link UserSliceWriter}s, and every error is a {@code Result}.
 *
 * @param <P> what {@code open} hands to the later calls
 */
public interface SafeFileOperations<P> {
  Fallible<P> open(File file);

  /** The last close: drop what open returned. */
  default Op<Void> release(P data, File file) {
    return Op.done();
  }

  /** Bytes read into {@code out}; {@code out.len()} is what user space asked for. */
  default Fallible<Long> read(P data, File file, UserSliceWriter out) {
    return Fallible.err(Errno.EINVAL);
  }

  default Fallible<Long> write(P data, File file, UserSliceReader in) {
    return Fallible.err(Errno.EINVAL);
  }

  default Fallible<Long> ioctl(P data, File file, IoctlCommand cmd) {
    return Fallible.err(Errno.ENOTTY);
  }
}
