package dev.devemu.uapi;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The numbers and layouts of include/uapi/linux/videodev2.h on x86-64. */
class Videodev2Test {
  @Test
  void ioctlNumbersAreTheKernelsOnX86_64() {
    // _IOR('V', 0, struct v4l2_capability) with sizeof == 104, and so on
    assertEquals(0x80685600, Videodev2.VIDIOC_QUERYCAP);
    assertEquals(0xc0145608, Videodev2.VIDIOC_REQBUFS);
    assertEquals(0xc0585609, Videodev2.VIDIOC_QUERYBUF);
    assertEquals(0xc058560f, Videodev2.VIDIOC_QBUF);
    assertEquals(0xc0585611, Videodev2.VIDIOC_DQBUF);
    assertEquals(0x40045612, Videodev2.VIDIOC_STREAMON);
    assertEquals(0x40045613, Videodev2.VIDIOC_STREAMOFF);
  }

  @Test
  void structsSurviveTheirByteLayout() {
    Videodev2.Buffer b = Videodev2.Buffer.of(3, Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE, Videodev2.V4L2_MEMORY_MMAP);
    b.bytesused = 614400;
    b.flags = Videodev2.V4L2_BUF_FLAG_DONE | Videodev2.V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
    b.field = Videodev2.V4L2_FIELD_NONE;
    b.timestampNanos = 1_234_567_000L;
    b.sequence = 42;
    b.offset = 3L * 4096;
    b.length = 614400;
    byte[] bytes = b.encode();
    assertEquals(88, bytes.length);
    assertEquals(42, bytes[56], "sequence at offset 56");
    assertEquals(1, bytes[60], "memory at offset 60");
    Videodev2.Buffer back = Videodev2.Buffer.decode(bytes);
    assertEquals(b.index, back.index);
    assertEquals(b.bytesused, back.bytesused);
    assertEquals(b.flags, back.flags);
    assertEquals(b.timestampNanos, back.timestampNanos);
    assertEquals(b.sequence, back.sequence);
    assertEquals(b.offset, back.offset);
    assertEquals(b.length, back.length);

    Videodev2.RequestBuffers r = Videodev2.RequestBuffers.of(4, 1, 1);
    r.capabilities = Videodev2.V4L2_BUF_CAP_SUPPORTS_MMAP;
    Videodev2.RequestBuffers r2 = Videodev2.RequestBuffers.decode(r.encode());
    assertEquals(4, r2.count);
    assertEquals(1, r2.capabilities);

    Videodev2.Capability c = new Videodev2.Capability();
    c.driver = "a-driver-name-longer-than-16";
    c.card = "Intel IPU6 ISYS Capture";
    c.capabilities = Videodev2.V4L2_CAP_VIDEO_CAPTURE | Videodev2.V4L2_CAP_DEVICE_CAPS;
    Videodev2.Capability c2 = Videodev2.Capability.decode(c.encode());
    assertEquals("a-driver-name-l", c2.driver, "NUL-terminated within its 16 bytes");
    assertEquals(c.card, c2.card);
    assertEquals(c.capabilities, c2.capabilities);
  }
}
