package dev.devemu.userspace.workload;

import dev.devemu.sim.SimRandom;
import dev.devemu.uapi.Ioctl;
import dev.devemu.userspace.Syscall;
import dev.devemu.userspace.UserContext;
import dev.devemu.userspace.UserProgram;
import java.util.List;

/**
 * A user program that opens a device node and keeps issuing a weighted random mix of read, write, ioctl and
 * close-then-reopen, with an exponential think time between calls. Now and then it passes a bad user pointer
 * (NULL, an unmapped guard page, a kernel address), an ioctl number the driver does not know, or a buffer that was
 * just mapped and never touched (so the kernel's copy into it page-faults). A failed open is retried after a pause.
 * All randomness comes from the process's own stream.
 */
public final class NodeExerciser implements UserProgram {
  /** Where a bad pointer points. */
  static final long KERNEL_ADDRESS = 0xffff888100000000L;
  /** A failed open is retried after at least this long, so a missing node does not spin the machine. */
  static final long MIN_RETRY_NANOS = 1_000_000L;
  static final int MAX_UNKNOWN_SIZE = 64;

  private final ProcessWorkload w;
  private int fd = -1;
  private long calls;
  private long readBuf;
  private int readBufSize;
  private long writeBuf;
  private final long[] ioctlBufs;
  /** For commands the driver does not know: the largest size such a command can declare here. */
  private long scratchBuf;

  public NodeExerciser(ProcessWorkload workload) {
    this.w = workload;
    this.ioctlBufs = new long[workload.ioctls().size()];
  }

  @Override
  public Syscall start(UserContext ctx) {
    readBufSize = w.readSizeMax();
    readBuf = touched(ctx, readBufSize);
    writeBuf = touched(ctx, w.writeSizeMax());
    scratchBuf = touched(ctx, MAX_UNKNOWN_SIZE);
    List<Integer> cmds = w.ioctls();
    for (int i = 0; i < cmds.size(); i++) {
      int size = Ioctl.size(cmds.get(i));
      ioctlBufs[i] = size == 0 ? 0 : touched(ctx, size);
    }
    return open();
  }

  @Override
  public Syscall next(UserContext ctx, Syscall previous, long result) {
    if (previous instanceof Syscall.Sleep) return fd >= 0 ? call(ctx) : open();
    if (previous instanceof Syscall.Open) {
      if (result < 0) return Syscall.sleep(Math.max(MIN_RETRY_NANOS, think(ctx)));
      fd = (int) result;
    } else if (previous instanceof Syscall.Close) {
      fd = -1; // the next call, after the think time, opens it again
    }
    if (w.calls() > 0 && calls >= w.calls()) return Syscall.exit();
    return pause(ctx);
  }

  private Syscall open() {
    calls++;
    return Syscall.open(w.device(), w.openFlags());
  }

  /** The think time, then (when it is over) the next call — chosen then, from the state of that moment. */
  private Syscall pause(UserContext ctx) {
    long t = think(ctx);
    if (t > 0) return Syscall.sleep(t);
    return fd >= 0 ? call(ctx) : open();
  }

  private long think(UserContext ctx) {
    return w.thinkTimeNanos() == 0 ? 0 : Math.max(1, (long) ctx.random().nextExponential(w.thinkTimeNanos()));
  }

  private Syscall call(UserContext ctx) {
    SimRandom r = ctx.random();
    calls++;
    double x = r.nextDouble() * w.totalWeight();
    if ((x -= w.readWeight()) < 0) return read(ctx);
    if ((x -= w.writeWeight()) < 0) return write(ctx);
    if ((x -= w.ioctlWeight()) < 0) return ioctl(ctx);
    return Syscall.close(fd);
  }

  private Syscall read(UserContext ctx) {
    SimRandom r = ctx.random();
    int count = w.readSizeMin() + r.nextInt(w.readSizeMax() - w.readSizeMin() + 1);
    if (r.nextBoolean(w.untouchedBuffer())) {
      ctx.mm().unmap(readBuf);
      readBuf = ctx.mm().map(readBufSize);
    }
    return Syscall.read(fd, pointer(ctx, readBuf, readBufSize), count);
  }

  private Syscall write(UserContext ctx) {
    SimRandom r = ctx.random();
    int count = w.writeSizeMin() + r.nextInt(w.writeSizeMax() - w.writeSizeMin() + 1);
    byte[] data = new byte[count];
    for (int i = 0; i < count; i++) data[i] = (byte) r.nextInt(256);
    ctx.mm().poke(writeBuf, data);
    return Syscall.write(fd, pointer(ctx, writeBuf, w.writeSizeMax()), count);
  }

  private Syscall ioctl(UserContext ctx) {
    SimRandom r = ctx.random();
    if (w.ioctls().isEmpty() || r.nextBoolean(w.unknownIoctl())) return unknownIoctl(ctx);
    int i = r.nextInt(w.ioctls().size());
    int cmd = w.ioctls().get(i);
    int size = Ioctl.size(cmd);
    if (size == 0) return Syscall.ioctl(fd, cmd, 0);
    if ((Ioctl.dir(cmd) & Ioctl.READ) != 0 && r.nextBoolean(w.untouchedBuffer())) {
      ctx.mm().unmap(ioctlBufs[i]);
      ioctlBufs[i] = ctx.mm().map(size);
    }
    if ((Ioctl.dir(cmd) & Ioctl.WRITE) != 0) ctx.mm().poke(ioctlBufs[i], randomBytes(r, size));
    return Syscall.ioctl(fd, cmd, pointer(ctx, ioctlBufs[i], size));
  }

  /** A command no driver listed: same magic as a known one (or a random one), a number it does not use. */
  private Syscall unknownIoctl(UserContext ctx) {
    SimRandom r = ctx.random();
    List<Integer> known = w.ioctls();
    int cmd;
    do {
      int type = known.isEmpty() || r.nextBoolean(0.5) ? r.nextInt(256) : Ioctl.type(known.get(r.nextInt(known.size())));
      int size = r.nextInt(MAX_UNKNOWN_SIZE + 1);
      int dir = size == 0 ? Ioctl.NONE : 1 + r.nextInt(3);
      cmd = Ioctl.ioc(dir, type, r.nextInt(256), size);
    } while (known.contains(cmd));
    int size = Ioctl.size(cmd);
    if (size == 0) return Syscall.ioctl(fd, cmd, 0);
    ctx.mm().poke(scratchBuf, randomBytes(r, size));
    return Syscall.ioctl(fd, cmd, pointer(ctx, scratchBuf, MAX_UNKNOWN_SIZE));
  }

  /** The buffer's address, or (with the scenario's probability) a bad one. */
  private long pointer(UserContext ctx, long buffer, int size) {
    SimRandom r = ctx.random();
    if (!r.nextBoolean(w.badPointer())) return buffer;
    return switch (r.nextInt(3)) {
      case 0 -> 0L; // NULL
      case 1 -> buffer + (size + 4095L) / 4096 * 4096; // the guard page after the mapping: unmapped
      default -> KERNEL_ADDRESS; // above TASK_SIZE: access_ok refuses it
    };
  }

  private static long touched(UserContext ctx, int size) {
    long at = ctx.mm().map(size);
    ctx.mm().poke(at, new byte[size]); // the program has used it: its pages are resident
    return at;
  }

  private static byte[] randomBytes(SimRandom r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) r.nextInt(256);
    return b;
  }

  /** System calls made so far (opens included). */
  long calls() {
    return calls;
  }
}
