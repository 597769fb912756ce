package dev.devemu.driver.samples.camera;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.fs.File;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Sim;
import dev.devemu.uapi.Errno;
import dev.devemu.uapi.Ioctl;
import dev.devemu.uapi.Videodev2;
import dev.devemu.userspace.Syscall;
import dev.devemu.userspace.UserContext;
import dev.devemu.userspace.UserProgram;
import dev.devemu.userspace.v4l2.V4l2CaptureProgram;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The V4L2 streaming semantics both variants of ipu6_isys must have, errno for errno, as videobuf2 gives them:
 * the queue states, -EINVAL for bad types, indexes and states, -EBUSY while streaming or for another file, -EAGAIN
 * for a non-blocking DQBUF with nothing done, -EFAULT for a bad pointer, -ENOTTY for an unknown command.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class V4l2SemanticsTest {
  static final int CAPTURE = Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE;
  static final int OUTPUT = Videodev2.V4L2_BUF_TYPE_VIDEO_OUTPUT;
  static final int MMAP = Videodev2.V4L2_MEMORY_MMAP;
  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("V4l2SemanticsTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  /** A program given as a list of calls, each built when it is made (it may read what the previous one wrote). */
  static final class Script implements UserProgram {
    final List<Function<UserContext, Syscall>> calls = new ArrayList<>();
    final List<Long> results = new ArrayList<>();
    long cap;
    long req;
    long buf;
    long type;
    int at;

    Script add(Function<UserContext, Syscall> call) {
      calls.add(call);
      return this;
    }

    @Override
    public Syscall start(UserContext c) {
      cap = c.mm().map(Videodev2.SIZEOF_CAPABILITY);
      req = c.mm().map(Videodev2.SIZEOF_REQUESTBUFFERS);
      buf = c.mm().map(Videodev2.SIZEOF_BUFFER);
      type = c.mm().map(4);
      return calls.get(at++).apply(c);
    }

    @Override
    public Syscall next(UserContext c, Syscall previous, long result) {
      if (!(previous instanceof Syscall.Sleep)) results.add(result);
      return at < calls.size() ? calls.get(at++).apply(c) : Syscall.exit();
    }

    Syscall reqbufs(UserContext c, int fd, int count, int t, int memory) {
      c.mm().poke(req, Videodev2.RequestBuffers.of(count, t, memory).encode());
      return Syscall.ioctl(fd, Videodev2.VIDIOC_REQBUFS, req);
    }

    Syscall qbuf(UserContext c, int fd, int index, int t) {
      c.mm().poke(buf, Videodev2.Buffer.of(index, t, MMAP).encode());
      return Syscall.ioctl(fd, Videodev2.VIDIOC_QBUF, buf);
    }

    Syscall dqbuf(UserContext c, int fd) {
      c.mm().poke(buf, Videodev2.Buffer.of(0, CAPTURE, MMAP).encode());
      return Syscall.ioctl(fd, Videodev2.VIDIOC_DQBUF, buf);
    }

    Syscall stream(UserContext c, int fd, int cmd, int t) {
      c.mm().poke(type, Videodev2.encodeInt(t));
      return Syscall.ioctl(fd, cmd, type);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "safe"})
  void everyQueueCallAnswersAsVideobuf2Does(String variant) {
    Script s = new Script();
    Videodev2.Capability[] cap = new Videodev2.Capability[1];
    Videodev2.RequestBuffers[] req = new Videodev2.RequestBuffers[1];
    Videodev2.Buffer[] done = new Videodev2.Buffer[1];
    s.add(c -> Syscall.open("/dev/video0", File.O_RDWR | File.O_NONBLOCK))
        .add(c -> Syscall.ioctl(3, Videodev2.VIDIOC_QUERYCAP, 0x10))               // bad pointer
        .add(c -> Syscall.ioctl(3, Videodev2.VIDIOC_QUERYCAP, s.cap))
        .add(c -> {
          cap[0] = Videodev2.Capability.decode(c.mm().peek(s.cap, Videodev2.SIZEOF_CAPABILITY));
          return s.dqbuf(c, 3);                                                      // not streaming
        })
        .add(c -> s.stream(c, 3, Videodev2.VIDIOC_STREAMON, CAPTURE))              // no buffers
        .add(c -> s.reqbufs(c, 3, 4, OUTPUT, MMAP))                                  // wrong type
        .add(c -> s.reqbufs(c, 3, 4, CAPTURE, Videodev2.V4L2_MEMORY_USERPTR))        // wrong memory
        .add(c -> s.reqbufs(c, 3, 4, CAPTURE, MMAP))
        .add(c -> {
          req[0] = Videodev2.RequestBuffers.decode(c.mm().peek(s.req, Videodev2.SIZEOF_REQUESTBUFFERS));
          return s.qbuf(c, 3, 4, CAPTURE);                                           // index out of range
        })
        .add(c -> s.qbuf(c, 3, 0, OUTPUT))                                           // wrong type
        .add(c -> s.qbuf(c, 3, 0, CAPTURE))
        .add(c -> s.qbuf(c, 3, 0, CAPTURE))                                          // already queued
        .add(c -> s.qbuf(c, 3, 1, CAPTURE))
        .add(c -> s.qbuf(c, 3, 2, CAPTURE))
        .add(c -> s.qbuf(c, 3, 3, CAPTURE))
        .add(c -> Syscall.open("/dev/video0", File.O_RDWR))                          // a second file: fd 4
        .add(c -> s.reqbufs(c, 4, 2, CAPTURE, MMAP))                                 // not the queue's owner
        .add(c -> s.dqbuf(c, 4))
        .add(c -> s.stream(c, 3, Videodev2.VIDIOC_STREAMON, OUTPUT))
        .add(c -> s.stream(c, 3, Videodev2.VIDIOC_STREAMON, CAPTURE))
        .add(c -> s.stream(c, 3, Videodev2.VIDIOC_STREAMON, CAPTURE))               // already streaming: fine
        .add(c -> s.reqbufs(c, 3, 2, CAPTURE, MMAP))                                 // busy while streaming
        .add(c -> s.dqbuf(c, 3))                                                     // nothing done yet
        .add(c -> Syscall.sleep(150_000_000L))
        .add(c -> Syscall.ioctl(3, Videodev2.VIDIOC_DQBUF, 0x10))                   // bad pointer
        .add(c -> s.dqbuf(c, 3))
        .add(c -> {
          done[0] = Videodev2.Buffer.decode(c.mm().peek(s.buf, Videodev2.SIZEOF_BUFFER));
          return Syscall.ioctl(3, Ioctl.ior('V', 99, 4), s.type);                   // unknown command
        })
        .add(c -> s.qbuf(c, 3, 0, CAPTURE))
        .add(c -> s.stream(c, 3, Videodev2.VIDIOC_STREAMOFF, OUTPUT))
        .add(c -> s.stream(c, 3, Videodev2.VIDIOC_STREAMOFF, CAPTURE))
        .add(c -> s.dqbuf(c, 3))                                                     // stream off: nothing
        .add(c -> Syscall.close(4))
        .add(c -> s.reqbufs(c, 3, 0, CAPTURE, MMAP))                                 // free the buffers
        .add(c -> s.qbuf(c, 3, 0, CAPTURE))                                          // none left
        .add(c -> Syscall.close(3));
    RunResult r = CameraHarness.run(sim, CameraHarness.scenario(variant, "fps = 30", "", "400ms"), 5, s);
    assertTrue(r.oopses().isEmpty(), () -> r.oopses().toString());
    long einval = -Errno.EINVAL;
    long ebusy = -Errno.EBUSY;
    assertEquals(List.of(3L, (long) -Errno.EFAULT, 0L, einval, einval, einval, einval, 0L, einval, einval, 0L,
        einval, 0L, 0L, 0L, 4L, ebusy, ebusy, einval, 0L, 0L, ebusy, (long) -Errno.EAGAIN, (long) -Errno.EFAULT, 0L,
        (long) -Errno.ENOTTY, 0L, einval, 0L, einval, 0L, 0L, einval, 0L), s.results);
    assertEquals("ipu6_isys", cap[0].driver);
    assertEquals("PCI:0000:00:05.0", cap[0].busInfo);
    assertEquals(Videodev2.V4L2_CAP_VIDEO_CAPTURE | Videodev2.V4L2_CAP_STREAMING, cap[0].deviceCaps);
    assertNotEquals(0, cap[0].capabilities & Videodev2.V4L2_CAP_DEVICE_CAPS);
    assertEquals(4, req[0].count);
    assertEquals(Videodev2.V4L2_BUF_CAP_SUPPORTS_MMAP, req[0].capabilities);
    assertEquals(0, done[0].index, "buffers come back in the order they were filled");
    assertEquals(0, done[0].sequence);
    assertEquals(640 * 480 * 2, done[0].bytesused);
    assertEquals(Videodev2.V4L2_BUF_FLAG_DONE | Videodev2.V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC, done[0].flags);
    assertEquals(Videodev2.V4L2_FIELD_NONE, done[0].field);
    assertTrue(done[0].timestampNanos > 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "safe"})
  void capturePrograms(String variant) {
    // blocking, two sessions; non-blocking with polling; and a slow consumer that lets the device run dry
    V4l2CaptureProgram.Config base = new V4l2CaptureProgram.Config("/dev/video0", 4, 20, 2, false, 0, 5_000_000L,
        2_000_000L, true);
    V4l2CaptureProgram blocking = new V4l2CaptureProgram(base);
    RunResult r1 = CameraHarness.run(sim, CameraHarness.scenario(variant, "fps = 60", "", "1s"), 11, blocking);
    assertTrue(r1.oopses().isEmpty(), () -> r1.oopses().toString());
    assertTrue(blocking.finished(), "both sessions ended: " + blocking.errors());
    assertEquals(40, blocking.framesDequeued());
    assertEquals(0, blocking.sequenceGaps(), "a program that keeps up loses no frame");
    assertEquals(List.of(), blocking.errors());

    V4l2CaptureProgram polling = new V4l2CaptureProgram(base.withNonBlocking(true).withSessions(1));
    RunResult r2 = CameraHarness.run(sim, CameraHarness.scenario(variant, "fps = 60", "", "1s"), 12, polling);
    assertTrue(r2.oopses().isEmpty(), () -> r2.oopses().toString());
    assertEquals(20, polling.framesDequeued());
    assertTrue(polling.eagainCount() > 0, "a non-blocking DQBUF polls");

    V4l2CaptureProgram slow = new V4l2CaptureProgram(new V4l2CaptureProgram.Config("/dev/video0", 2, 6, 1, false,
        60_000_000L, 0, 1_000_000L, true));
    RunResult r3 = CameraHarness.run(sim, CameraHarness.scenario(variant, "fps = 60", "", "1s"), 13, slow);
    assertTrue(r3.oopses().isEmpty(), () -> r3.oopses().toString());
    assertEquals(6, slow.framesDequeued());
    assertTrue(slow.sequenceGaps() > 0, "frames the device had no buffer for are dropped and counted");
  }
}
