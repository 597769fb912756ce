package dev.devemu.userspace.v4l2;

import dev.devemu.kernel.fs.File;
import dev.devemu.uapi.Errno;
import dev.devemu.uapi.Videodev2;
import dev.devemu.userspace.Syscall;
import dev.devemu.userspace.UserContext;
import dev.devemu.userspace.UserProgram;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A streaming capture loop as {@code v4l2-ctl --stream-mmap} runs it: open the node, QUERYCAP, REQBUFS n, QBUF
 * every buffer, STREAMON, then DQBUF / (work on the frame) / QBUF for a number of frames, STREAMOFF, REQBUFS 0,
 * close — for a number of sessions. A non-blocking program polls when DQBUF says -EAGAIN. An error ends the
 * session (the file is closed, as a program that gives up would); a node that is not there yet is retried.
 */
public final class V4l2CaptureProgram implements UserProgram {
  /**
   * @param device the node to open
   * @param buffers how many buffers to request
   * @param frames frames to dequeue per session
   * @param sessions open-to-close cycles
   * @param nonBlocking open with O_NONBLOCK and poll on -EAGAIN
   * @param frameWorkNanos user-space time spent on each frame before it is queued again
   * @param pauseNanos time between two sessions
   * @param pollNanos how long a non-blocking program waits after -EAGAIN
   * @param releaseBuffers REQBUFS(0) before close (otherwise close frees them)
   */
  public record Config(String device, int buffers, int frames, int sessions, boolean nonBlocking, long frameWorkNanos,
      long pauseNanos, long pollNanos, boolean releaseBuffers) {
    public static Config defaults() {
      return new Config("/dev/video0", 4, 60, 1, false, 0, 10_000_000L, 2_000_000L, true);
    }

    public Config withFrames(int n) {
      return new Config(device, buffers, n, sessions, nonBlocking, frameWorkNanos, pauseNanos, pollNanos,
          releaseBuffers);
    }

    public Config withSessions(int n) {
      return new Config(device, buffers, frames, n, nonBlocking, frameWorkNanos, pauseNanos, pollNanos, releaseBuffers);
    }

    public Config withNonBlocking(boolean on) {
      return new Config(device, buffers, frames, sessions, on, frameWorkNanos, pauseNanos, pollNanos, releaseBuffers);
    }
  }

  private enum Phase {
    OPEN, QUERYCAP, REQBUFS, QBUF_ALL, STREAMON, DQBUF, WORK, QBUF, STREAMOFF, FREE, CLOSE, PAUSE, DONE
  }

  /** How many times an absent node is retried, 1 ms apart (the driver may still be probing). */
  static final int OPEN_RETRIES = 20;

  private final Config config;
  private Phase phase = Phase.OPEN;
  private long capArea;
  private long reqArea;
  private long bufArea;
  private long intArea;
  private int fd = -1;
  private int allocated;
  private int queued;
  private int lastIndex;
  private int sessionFrames;
  private int session;
  private int openRetries;
  private long lastSequence = -1;
  private long framesDequeued;
  private long errorFrames;
  private long sequenceGaps;
  private long eagain;
  private final List<String> errors = new ArrayList<>();
  private Videodev2.Capability capability;

  public V4l2CaptureProgram(Config config) {
    this.config = config;
  }

  @Override
  public Syscall start(UserContext c) {
    capArea = c.mm().map(Videodev2.SIZEOF_CAPABILITY);
    reqArea = c.mm().map(Videodev2.SIZEOF_REQUESTBUFFERS);
    bufArea = c.mm().map(Videodev2.SIZEOF_BUFFER);
    intArea = c.mm().map(4);
    return open();
  }

  private Syscall open() {
    phase = Phase.OPEN;
    return Syscall.open(config.device(), File.O_RDWR | (config.nonBlocking() ? File.O_NONBLOCK : 0));
  }

  @Override
  public Syscall next(UserContext c, Syscall previous, long result) {
    switch (phase) {
      case OPEN -> {
        if (previous instanceof Syscall.Sleep) return open();
        if (result == -Errno.ENOENT && openRetries++ < OPEN_RETRIES) return Syscall.sleep(1_000_000L);
        if (result < 0) return fail(c, "open", result);
        fd = (int) result;
        phase = Phase.QUERYCAP;
        return Syscall.ioctl(fd, Videodev2.VIDIOC_QUERYCAP, capArea);
      }
      case QUERYCAP -> {
        if (result < 0) return fail(c, "VIDIOC_QUERYCAP", result);
        capability = Videodev2.Capability.decode(c.mm().peek(capArea, Videodev2.SIZEOF_CAPABILITY));
        phase = Phase.REQBUFS;
        c.mm().poke(reqArea, Videodev2.RequestBuffers.of(config.buffers(), Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE,
            Videodev2.V4L2_MEMORY_MMAP).encode());
        return Syscall.ioctl(fd, Videodev2.VIDIOC_REQBUFS, reqArea);
      }
      case REQBUFS -> {
        if (result < 0) return fail(c, "VIDIOC_REQBUFS", result);
        allocated = Videodev2.RequestBuffers.decode(c.mm().peek(reqArea, Videodev2.SIZEOF_REQUESTBUFFERS)).count;
        queued = 0;
        phase = Phase.QBUF_ALL;
        return qbuf(c, queued);
      }
      case QBUF_ALL -> {
        if (result < 0) return fail(c, "VIDIOC_QBUF", result);
        if (++queued < allocated) return qbuf(c, queued);
        phase = Phase.STREAMON;
        c.mm().poke(intArea, Videodev2.encodeInt(Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE));
        return Syscall.ioctl(fd, Videodev2.VIDIOC_STREAMON, intArea);
      }
      case STREAMON -> {
        if (result < 0) return fail(c, "VIDIOC_STREAMON", result);
        sessionFrames = 0;
        return dqbuf(c);
      }
      case DQBUF -> {
        if (previous instanceof Syscall.Sleep) return dqbuf(c);
        if (result == -Errno.EAGAIN && config.nonBlocking()) {
          eagain++;
          return Syscall.sleep(config.pollNanos());
        }
        if (result < 0) return fail(c, "VIDIOC_DQBUF", result);
        Videodev2.Buffer b = Videodev2.Buffer.decode(c.mm().peek(bufArea, Videodev2.SIZEOF_BUFFER));
        account(b);
        lastIndex = b.index;
        sessionFrames++;
        if (config.frameWorkNanos() > 0) {
          phase = Phase.WORK;
          return Syscall.sleep(config.frameWorkNanos());
        }
        return afterWork(c);
      }
      case WORK -> {
        return afterWork(c);
      }
      case QBUF -> {
        if (result < 0) return fail(c, "VIDIOC_QBUF", result);
        return dqbuf(c);
      }
      case STREAMOFF -> {
        if (result < 0) return fail(c, "VIDIOC_STREAMOFF", result);
        if (!config.releaseBuffers()) return close();
        phase = Phase.FREE;
        c.mm().poke(reqArea, Videodev2.RequestBuffers.of(0, Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE,
            Videodev2.V4L2_MEMORY_MMAP).encode());
        return Syscall.ioctl(fd, Videodev2.VIDIOC_REQBUFS, reqArea);
      }
      case FREE -> {
        if (result < 0) return fail(c, "VIDIOC_REQBUFS(0)", result);
        return close();
      }
      case CLOSE -> {
        fd = -1;
        session++;
        if (session >= config.sessions()) {
          phase = Phase.DONE;
          return Syscall.exit();
        }
        phase = Phase.PAUSE;
        return Syscall.sleep(config.pauseNanos());
      }
      case PAUSE -> {
        openRetries = 0;
        return open();
      }
      default -> {
        return Syscall.exit();
      }
    }
  }

  private Syscall qbuf(UserContext c, int index) {
    c.mm().poke(bufArea, Videodev2.Buffer.of(index, Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE,
        Videodev2.V4L2_MEMORY_MMAP).encode());
    return Syscall.ioctl(fd, Videodev2.VIDIOC_QBUF, bufArea);
  }

  /** The frame has been worked on: queue it again, or stop once the session has its frames. */
  private Syscall afterWork(UserContext c) {
    return sessionFrames >= config.frames() ? streamoff(c) : requeue(c);
  }

  private Syscall requeue(UserContext c) {
    phase = Phase.QBUF;
    return qbuf(c, lastIndex);
  }

  private Syscall dqbuf(UserContext c) {
    phase = Phase.DQBUF;
    c.mm().poke(bufArea, Videodev2.Buffer.of(0, Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE,
        Videodev2.V4L2_MEMORY_MMAP).encode());
    return Syscall.ioctl(fd, Videodev2.VIDIOC_DQBUF, bufArea);
  }

  private Syscall streamoff(UserContext c) {
    phase = Phase.STREAMOFF;
    c.mm().poke(intArea, Videodev2.encodeInt(Videodev2.V4L2_BUF_TYPE_VIDEO_CAPTURE));
    return Syscall.ioctl(fd, Videodev2.VIDIOC_STREAMOFF, intArea);
  }

  private Syscall close() {
    phase = Phase.CLOSE;
    return Syscall.close(fd);
  }

  private void account(Videodev2.Buffer b) {
    framesDequeued++;
    if ((b.flags & Videodev2.V4L2_BUF_FLAG_ERROR) != 0) errorFrames++;
    if (sessionFrames == 0) lastSequence = -1;
    if (lastSequence >= 0 && b.sequence != lastSequence + 1) sequenceGaps++;
    lastSequence = b.sequence;
  }

  /** An error ends the session: close what is open (the driver's release cleans up), or stop if nothing is. */
  private Syscall fail(UserContext c, String call, long result) {
    errors.add(call + ": " + Errno.describe((int) result));
    if (fd >= 0) return close();
    phase = Phase.DONE;
    return Syscall.exit();
  }

  // ---- what the program saw (for tests and reports) ----

  public long framesDequeued() {
    return framesDequeued;
  }

  public long errorFrames() {
    return errorFrames;
  }

  /** Dequeued frames whose sequence number did not follow the previous one (frames the device dropped). */
  public long sequenceGaps() {
    return sequenceGaps;
  }

  public long eagainCount() {
    return eagain;
  }

  public int sessionsCompleted() {
    return session;
  }

  public boolean finished() {
    return phase == Phase.DONE;
  }

  public List<String> errors() {
    return Collections.unmodifiableList(errors);
  }

  /** What QUERYCAP said, or null before it ran. */
  public Videodev2.Capability capability() {
    return capability;
  }
}
