package dev.devemu.driver.api.v4l2;

import dev.devemu.driver.api.Devres;
import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.fs.File;
import dev.devemu.kernel.mem.Field;
import dev.devemu.uapi.Errno;
import dev.devemu.uapi.Videodev2;
import java.util.function.Function;

/**
 * Registers {@link SafeV4l2Ops} as a video device node, device-managed: the node is unregistered at unbind
 * (before the resources registered earlier are released), and the typed per-file data travels in
 * {@code private_data} without the driver ever casting a raw pointer.
 */
public final class SafeVideoDevice {
  private SafeVideoDevice() {}

  /**
   * {@code video_register_device}, undone automatically through {@code devres}.
   *
   * @param registered the flag word of the video device inside the driver's (reference-counted) state
   */
  public static <P> Fallible<VideoDevice> register(Devres devres, String driver, Field<Boolean> registered,
      SafeV4l2Ops<P> ops) {
    VideoDevice vdev = new VideoDevice(driver, registered, adapt(ops));
    return Fallible.fromRc(vdev.register()).map(rc -> {
      devres.add("video_unregister_device(" + vdev.node() + ")", vdev::unregister);
      return vdev;
    });
  }

  /** The C operations a safe implementation is called through. */
  public static <P> V4l2Ops adapt(SafeV4l2Ops<P> ops) {
    return new V4l2Ops() {
      @Override
      public Op<Integer> open(File file) {
        return ops.open(file).op().map(r -> {
          if (r instanceof KResult.Ok<P> ok) {
            file.privateData(ok.value());
            return 0;
          }
          return r.toRc();
        });
      }

      @Override
      public Op<Integer> release(File file) {
        P data = data(file);
        file.privateData(null);
        return data == null ? Op.rc(0) : ops.release(data, file).map(ignored -> 0);
      }

      @Override
      public Op<Integer> querycap(File file, Videodev2.Capability cap) {
        return SafeVideoDevice.<P>call(file, p -> ops.querycap(p, file, cap));
      }

      @Override
      public Op<Integer> reqbufs(File file, Videodev2.RequestBuffers req) {
        return SafeVideoDevice.<P>call(file, p -> ops.reqbufs(p, file, req));
      }

      @Override
      public Op<Integer> qbuf(File file, Videodev2.Buffer buf) {
        return SafeVideoDevice.<P>call(file, p -> ops.qbuf(p, file, buf));
      }

      @Override
      public Op<Integer> dqbuf(File file, Videodev2.Buffer buf) {
        return SafeVideoDevice.<P>call(file, p -> ops.dqbuf(p, file, buf));
      }

      @Override
      public Op<Integer> streamon(File file, int type) {
        return SafeVideoDevice.<P>call(file, p -> ops.streamon(p, file, type));
      }

      @Override
      public Op<Integer> streamoff(File file, int type) {
        return SafeVideoDevice.<P>call(file, p -> ops.streamoff(p, file, type));
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static <P> P data(File file) {
    return (P) file.privateData();
  }

  private static <P> Op<Integer> call(File file, Function<P, Fallible<Void>> body) {
    P data = data(file);
    if (data == null) return Op.rc(-Errno.EBADF);
    return body.apply(data).toRc();
  }
}
