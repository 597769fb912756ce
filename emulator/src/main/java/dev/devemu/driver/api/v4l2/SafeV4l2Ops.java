package dev.devemu.driver.api.v4l2;

import dev.devemu.driver.api.Fallible;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.fs.File;
import dev.devemu.uapi.Videodev2;

/**
 * The V4L2 operations with Rust's discipline: {@code open} returns the per-file data {@code P} (typically a
 * reference-counted handle on the device's state, so that it outlives an unbind while the file is open), every
 * other operation receives it typed and answers with a {@code Result}.
 *
 * @param <P> what {@code open} hands to the later calls
 */
public interface SafeV4l2Ops<P> {
  Fallible<P> open(File file);

  /** The last close: drop what open returned. */
  default Op<Void> release(P data, File file) {
    return Op.done();
  }

  Fallible<Void> querycap(P data, File file, Videodev2.Capability cap);

  Fallible<Void> reqbufs(P data, File file, Videodev2.RequestBuffers req);

  Fallible<Void> qbuf(P data, File file, Videodev2.Buffer buf);

  Fallible<Void> dqbuf(P data, File file, Videodev2.Buffer buf);

  Fallible<Void> streamon(P data, File file, int type);

  Fallible<Void> streamoff(P data, File file, int type);
}
