package dev.devemu.driver.api.v4l2;

import dev.devemu.driver.api.Mem;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.fs.File;
import dev.devemu.kernel.fs.FileOperations;
import dev.devemu.kernel.fs.Uaccess;
import dev.devemu.kernel.fs.Vfs;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.sync.Mutex;
import dev.devemu.uapi.Errno;
import dev.devemu.uapi.Ioctl;
import dev.devemu.uapi.Videodev2;

/**
 * {@code struct video_device} and the core code around it ({@code drivers/media/v4l2-core/v4l2-dev.c},
 * {@code v4l2-ioctl.c}): registration as the first free {@code /dev/videoN}, and the file operations every V4L2
 * node has — {@code v4l2_ioctl} refuses calls once the device is unregistered (-ENODEV), then
 * {@code video_usercopy} copies the argument in and out by the command's {@code _IOC_DIR}/{@code _IOC_SIZE}
 * (-EFAULT on a bad pointer) around the driver's operation.
 *
 * <p>As in Linux, the {@code registered} flag {@code video_is_registered} reads (with {@code test_bit}, an atomic
 * access the data-race detector does not count) lives in the driver's own memory
 * (the video_device is embedded in the driver's struct): a driver that frees that struct while a file is still
 * open makes the core's next check a use-after-free.
 */
public final class VideoDevice {
  /** How many /dev/videoN the core hands out ({@code VIDEO_NUM_DEVICES} is 256; a testbed needs few). */
  static final int MAX_NODES = 64;

  private final String driver;
  private final Field<Boolean> registered;
  private final V4l2Ops ops;
  private final FileOperations fops = new V4l2FileOperations();
  /**
   * {@code videodev_lock}: v4l2_open checks the flag and takes its reference under it, video_unregister_device
   * clears the flag under it, so an open either completes before the unregistration or sees it.
   */
  private final Mutex lock = new Mutex("videodev_lock");
  private String node;

  /**
   * @param driver the driver's name, for the log
   * @param registered the {@code video_device} flags word inside the driver's struct
   * @param ops the driver's operations
   */
  public VideoDevice(String driver, Field<Boolean> registered, V4l2Ops ops) {
    this.driver = driver;
    this.registered = registered;
    this.ops = ops;
  }

  /** {@code /dev/videoN} once registered, else null. */
  public String node() {
    return node;
  }

  /** {@code video_register_device(vdev, VFL_TYPE_VIDEO, -1)}: 0, or -ENFILE when every node number is taken. */
  public Op<Integer> register() {
    return Op.fn("video_register_device", () -> Op.<String>step("video_get_free_minor", x -> {
      for (int n = 0; n < MAX_NODES; n++) {
        String path = "/dev/video" + n;
        if (!Vfs.of(x.kernel()).registered(path)) return path;
      }
      return null;
    }).then(path -> {
      if (path == null) return Op.rc(-ENFILE);
      return Vfs.registerChrdev(path, fops).then(rc -> rc < 0 ? Op.rc(rc)
          : Mem.writeOnce(registered, Boolean.TRUE).then(Op.step("device_add", x -> {
            node = path;
            x.kernel().printk(driver + ": registered video device " + path);
            return 0;
          })));
    }));
  }

  /** {@code video_unregister_device}: the flag goes down first, then the node; open files stay open. */
  public Op<Void> unregister() {
    return Op.fn("video_unregister_device", () -> {
      String path = node;
      if (path == null) return Op.done();
      node = null;
      return lock.with(() -> Mem.writeOnce(registered, Boolean.FALSE)).then(Vfs.unregisterChrdev(path));
    });
  }

  /** ENFILE: no node number left. */
  static final int ENFILE = 23;

  /** The file operations of every V4L2 node ({@code v4l2_fops}). */
  private final class V4l2FileOperations implements FileOperations {
    @Override
    public Op<Integer> open(File file) {
      // the driver's open runs under the lock too: what it takes a reference on cannot go away meanwhile
      return Op.fn("v4l2_open", () -> lock.with(() -> Mem.readOnce(registered).then(reg -> Boolean.TRUE.equals(reg)
          ? ops.open(file) : Op.rc(-Errno.ENODEV))));
    }

    @Override
    public Op<Integer> release(File file) {
      return Op.fn("v4l2_release", () -> ops.release(file));
    }

    @Override
    public Op<Long> unlockedIoctl(File file, int cmd, long arg) {
      return Op.fn("v4l2_ioctl", () -> Mem.readOnce(registered).then(reg -> {
        if (!Boolean.TRUE.equals(reg)) return Op.pure((long) -Errno.ENODEV);
        if (Videodev2.name(cmd) == null) return Op.pure((long) -Errno.ENOTTY);
        return usercopy(file, cmd, arg);
      }));
    }
  }

  /** {@code video_usercopy}: the argument in, the driver's operation, the argument out (on success only). */
  private Op<Long> usercopy(File file, int cmd, long arg) {
    int size = Ioctl.size(cmd);
    boolean in = (Ioctl.dir(cmd) & Ioctl.WRITE) != 0;
    boolean out = (Ioctl.dir(cmd) & Ioctl.READ) != 0;
    Op<Uaccess.UserBytes> copyIn = in ? Uaccess.copyFromUser(file, arg, size)
        : Op.pure(new Uaccess.UserBytes(new byte[size], 0));
    return copyIn.then(user -> {
      if (!user.ok()) return Op.pure((long) -Errno.EFAULT);
      byte[] karg = user.bytes();
      return dispatch(file, cmd, karg).then(rc -> {
        if (rc < 0 || !out) return Op.pure((long) rc);
        byte[] result = karg;
        return Uaccess.copyToUser(file, arg, result, result.length)
            .map(left -> left != 0 ? (long) -Errno.EFAULT : (long) rc);
      });
    });
  }

  /** {@code __video_do_ioctl}: decodes the kernel copy, calls the driver, re-encodes what it filled in. */
  private Op<Integer> dispatch(File file, int cmd, byte[] karg) {
    if (cmd == Videodev2.VIDIOC_QUERYCAP) {
      Videodev2.Capability cap = new Videodev2.Capability();
      return ops.querycap(file, cap).map(rc -> copyBack(rc, cap.encode(), karg));
    }
    if (cmd == Videodev2.VIDIOC_REQBUFS) {
      Videodev2.RequestBuffers req = Videodev2.RequestBuffers.decode(karg);
      return ops.reqbufs(file, req).map(rc -> copyBack(rc, req.encode(), karg));
    }
    if (cmd == Videodev2.VIDIOC_QBUF || cmd == Videodev2.VIDIOC_DQBUF) {
      Videodev2.Buffer buf = Videodev2.Buffer.decode(karg);
      Op<Integer> call = cmd == Videodev2.VIDIOC_QBUF ? ops.qbuf(file, buf) : ops.dqbuf(file, buf);
      return call.map(rc -> copyBack(rc, buf.encode(), karg));
    }
    if (cmd == Videodev2.VIDIOC_STREAMON) return ops.streamon(file, Videodev2.decodeInt(karg));
    if (cmd == Videodev2.VIDIOC_STREAMOFF) return ops.streamoff(file, Videodev2.decodeInt(karg));
    return Op.rc(-Errno.ENOTTY);
  }

  private static int copyBack(int rc, byte[] filled, byte[] karg) {
    if (rc >= 0) System.arraycopy(filled, 0, karg, 0, karg.length);
    return rc;
  }
}
