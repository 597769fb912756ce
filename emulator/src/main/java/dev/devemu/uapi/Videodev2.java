package dev.devemu.uapi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The part of {@code include/uapi/linux/videodev2.h} a streaming capture device needs, with the real ioctl numbers
 * and the x86-64 struct layouts (sizes match {@code _IOC_SIZE} of each number, so {@code video_usercopy} copies
 * exactly what the kernel copies). The structs are mutable, as C structs are: the kernel copies one in, the
 * driver fills it, the kernel copies it out.
 */
public final class Videodev2 {
  private Videodev2() {}

  public static final int SIZEOF_CAPABILITY = 104;
  public static final int SIZEOF_REQUESTBUFFERS = 20;
  public static final int SIZEOF_BUFFER = 88;

  /** {@code _IOR('V', 0, struct v4l2_capability)}. */
  public static final int VIDIOC_QUERYCAP = Ioctl.ior('V', 0, SIZEOF_CAPABILITY);
  /** {@code _IOWR('V', 8, struct v4l2_requestbuffers)}. */
  public static final int VIDIOC_REQBUFS = Ioctl.iowr('V', 8, SIZEOF_REQUESTBUFFERS);
  /** {@code _IOWR('V', 9, struct v4l2_buffer)}. */
  public static final int VIDIOC_QUERYBUF = Ioctl.iowr('V', 9, SIZEOF_BUFFER);
  /** {@code _IOWR('V', 15, struct v4l2_buffer)}. */
  public static final int VIDIOC_QBUF = Ioctl.iowr('V', 15, SIZEOF_BUFFER);
  /** {@code _IOWR('V', 17, struct v4l2_buffer)}. */
  public static final int VIDIOC_DQBUF = Ioctl.iowr('V', 17, SIZEOF_BUFFER);
  /** {@code _IOW('V', 18, int)}. */
  public static final int VIDIOC_STREAMON = Ioctl.iow('V', 18, 4);
  /** {@code _IOW('V', 19, int)}. */
  public static final int VIDIOC_STREAMOFF = Ioctl.iow('V', 19, 4);

  // enum v4l2_buf_type, v4l2_memory, v4l2_field
  public static final int V4L2_BUF_TYPE_VIDEO_CAPTURE = 1;
  public static final int V4L2_BUF_TYPE_VIDEO_OUTPUT = 2;
  public static final int V4L2_MEMORY_MMAP = 1;
  public static final int V4L2_MEMORY_USERPTR = 2;
  public static final int V4L2_FIELD_NONE = 1;

  // v4l2_capability.capabilities / device_caps
  public static final int V4L2_CAP_VIDEO_CAPTURE = 0x00000001;
  public static final int V4L2_CAP_STREAMING = 0x04000000;
  public static final int V4L2_CAP_DEVICE_CAPS = 0x80000000;

  // v4l2_requestbuffers.capabilities
  public static final int V4L2_BUF_CAP_SUPPORTS_MMAP = 1;

  // v4l2_buffer.flags
  public static final int V4L2_BUF_FLAG_MAPPED = 0x00000001;
  public static final int V4L2_BUF_FLAG_QUEUED = 0x00000002;
  public static final int V4L2_BUF_FLAG_DONE = 0x00000004;
  public static final int V4L2_BUF_FLAG_ERROR = 0x00000040;
  public static final int V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC = 0x00002000;

  /** {@code VIDEO_MAX_FRAME}: the most buffers a queue holds (videobuf2's VB2_MAX_FRAME of older kernels). */
  public static final int VIDEO_MAX_FRAME = 32;

  /** {@code KERNEL_VERSION(6, 10, 0)}, what {@code v4l2_capability.version} reports. */
  public static final int KERNEL_VERSION = (6 << 16) | (10 << 8);

  private static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** {@code struct v4l2_capability}. */
  public static final class Capability {
    public String driver = "";
    public String card = "";
    public String busInfo = "";
    public int version;
    public int capabilities;
    public int deviceCaps;

    public byte[] encode() {
      byte[] b = new byte[SIZEOF_CAPABILITY];
      putString(b, 0, 16, driver);
      putString(b, 16, 32, card);
      putString(b, 48, 32, busInfo);
      le(b).putInt(80, version).putInt(84, capabilities).putInt(88, deviceCaps);
      return b;
    }

    public static Capability decode(byte[] b) {
      Capability c = new Capability();
      c.driver = getString(b, 0, 16);
      c.card = getString(b, 16, 32);
      c.busInfo = getString(b, 48, 32);
      ByteBuffer bb = le(b);
      c.version = bb.getInt(80);
      c.capabilities = bb.getInt(84);
      c.deviceCaps = bb.getInt(88);
      return c;
    }
  }

  /** {@code struct v4l2_requestbuffers}. */
  public static final class RequestBuffers {
    public int count;
    public int type;
    public int memory;
    public int capabilities;
    public int flags;

    public static RequestBuffers of(int count, int type, int memory) {
      RequestBuffers r = new RequestBuffers();
      r.count = count;
      r.type = type;
      r.memory = memory;
      return r;
    }

    public byte[] encode() {
      byte[] b = new byte[SIZEOF_REQUESTBUFFERS];
      le(b).putInt(0, count).putInt(4, type).putInt(8, memory).putInt(12, capabilities).put(16, (byte) flags);
      return b;
    }

    public static RequestBuffers decode(byte[] b) {
      ByteBuffer bb = le(b);
      RequestBuffers r = new RequestBuffers();
      r.count = bb.getInt(0);
      r.type = bb.getInt(4);
      r.memory = bb.getInt(8);
      r.capabilities = bb.getInt(12);
      r.flags = bb.get(16) & 0xff;
      return r;
    }
  }

  /** {@code struct v4l2_buffer} (single-planar), with the timestamp as nanoseconds of CLOCK_MONOTONIC. */
  public static final class Buffer {
    public int index;
    public int type;
    public int bytesused;
    public int flags;
    public int field;
    public long timestampNanos;
    public int sequence;
    public int memory;
    /** {@code m.offset}: the mmap cookie of an MMAP buffer. */
    public long offset;
    public int length;

    public static Buffer of(int index, int type, int memory) {
      Buffer b = new Buffer();
      b.index = index;
      b.type = type;
      b.memory = memory;
      return b;
    }

    public byte[] encode() {
      byte[] b = new byte[SIZEOF_BUFFER];
      le(b).putInt(0, index).putInt(4, type).putInt(8, bytesused).putInt(12, flags).putInt(16, field)
          .putLong(24, timestampNanos / 1_000_000_000L).putLong(32, (timestampNanos / 1_000L) % 1_000_000L)
          .putInt(56, sequence).putInt(60, memory).putLong(64, offset).putInt(72, length);
      return b;
    }

    public static Buffer decode(byte[] b) {
      ByteBuffer bb = le(b);
      Buffer v = new Buffer();
      v.index = bb.getInt(0);
      v.type = bb.getInt(4);
      v.bytesused = bb.getInt(8);
      v.flags = bb.getInt(12);
      v.field = bb.getInt(16);
      v.timestampNanos = bb.getLong(24) * 1_000_000_000L + bb.getLong(32) * 1_000L;
      v.sequence = bb.getInt(56);
      v.memory = bb.getInt(60);
      v.offset = bb.getLong(64);
      v.length = bb.getInt(72);
      return v;
    }
  }

  /** The {@code int} argument of STREAMON/STREAMOFF. */
  public static byte[] encodeInt(int v) {
    byte[] b = new byte[4];
    le(b).putInt(0, v);
    return b;
  }

  public static int decodeInt(byte[] b) {
    return le(b).getInt(0);
  }

  private static void putString(byte[] b, int at, int len, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, b, at, Math.min(bytes.length, len - 1)); // always NUL-terminated
  }

  private static String getString(byte[] b, int at, int len) {
    int end = at;
    while (end < at + len && b[end] != 0) end++;
    return new String(b, at, end - at, StandardCharsets.US_ASCII);
  }

  /** The name of a V4L2 ioctl number, for logs ({@code VIDIOC_DQBUF}), or null. */
  public static String name(int cmd) {
    if (cmd == VIDIOC_QUERYCAP) return "VIDIOC_QUERYCAP";
    if (cmd == VIDIOC_REQBUFS) return "VIDIOC_REQBUFS";
    if (cmd == VIDIOC_QUERYBUF) return "VIDIOC_QUERYBUF";
    if (cmd == VIDIOC_QBUF) return "VIDIOC_QBUF";
    if (cmd == VIDIOC_DQBUF) return "VIDIOC_DQBUF";
    if (cmd == VIDIOC_STREAMON) return "VIDIOC_STREAMON";
    if (cmd == VIDIOC_STREAMOFF) return "VIDIOC_STREAMOFF";
    return null;
  }
}
