package dev.devemu.driver.api.v4l2;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.fs.File;
import dev.devemu.uapi.Videodev2;

/**
 * {@code struct v4l2_file_operations} and the streaming part of {@code struct v4l2_ioctl_ops}, with C semantics:
 * the core has already copied the argument into a kernel struct, the driver fills it and returns 0 or -errno;
 * {@code file->private_data} is whatever the driver's open put there.
 */
public interface V4l2Ops {
  default Op<Integer> open(File file) {
    return Op.rc(0);
  }

  /** v4l2_release calls it on the last close, whether or not the video device is still registered. */
  default Op<Integer> release(File file) {
    return Op.rc(0);
  }

  Op<Integer> querycap(File file, Videodev2.Capability cap);

  Op<Integer> reqbufs(File file, Videodev2.RequestBuffers req);

  Op<Integer> qbuf(File file, Videodev2.Buffer buf);

  /** A buffer the device filled, or -EAGAIN at once when the file is non-blocking and none is done. */
  Op<Integer> dqbuf(File file, Videodev2.Buffer buf);

  Op<Integer> streamon(File file, int type);

  Op<Integer> streamoff(File file, int type);
}
