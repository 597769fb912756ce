package dev.devemu.kernel.fs;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.file.IoctlCommand;
import dev.devemu.driver.api.file.SafeChrdev;
import dev.devemu.driver.api.file.SafeFileOperations;
import dev.devemu.driver.api.file.UserSliceWriter;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.KernelConfig;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.sync.SpinLock;
import dev.devemu.scenario.FaultPlan;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.sim.Cause;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Sim;
import dev.devemu.uapi.Errno;
import dev.devemu.uapi.Ioctl;
import dev.devemu.userspace.Syscall;
import dev.devemu.userspace.UserContext;
import dev.devemu.userspace.UserProgram;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** System calls from a process reach a driver's file operations with the VFS's semantics and errno values. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VfsTest {
  static final int GET = Ioctl.ior('T', 1, 4);
  static final int UNKNOWN = Ioctl.io('T', 9);
  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("VfsTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  /** A program given as a list of calls; the results are recorded. */
  static final class Script implements UserProgram {
    final List<java.util.function.Function<UserContext, Syscall>> calls;
    final List<Long> results = new ArrayList<>();
    int at;

    @SafeVarargs
    Script(java.util.function.Function<UserContext, Syscall>... calls) {
      this.calls = List.of(calls);
    }

    @Override
    public Syscall start(UserContext ctx) {
      return calls.get(at++).apply(ctx);
    }

    @Override
    public Syscall next(UserContext ctx, Syscall previous, long result) {
      results.add(result);
      return at < calls.size() ? calls.get(at++).apply(ctx) : Syscall.exit();
    }
  }

  /** A C-style driver: read copies a 4-byte value; ioctl GET puts it; optionally copies while holding a spinlock. */
  static final class RawTestFops implements FileOperations {
    final boolean copyUnderLock;
    final SpinLock lock = new SpinLock("test_data.lock");

    RawTestFops(boolean copyUnderLock) {
      this.copyUnderLock = copyUnderLock;
    }

    @Override
    public Op<Long> read(File file, long userBuf, long count) {
      byte[] value = {1, 2, 3, 4};
      int n = (int) Math.min(count, 4);
      Op<Long> copy = Uaccess.copyToUser(file, userBuf, value, n).map(left -> left != 0 ? (long) -Errno.EFAULT : n);
      return copyUnderLock ? lock.with(() -> copy) : copy;
    }

    @Override
    public Op<Long> unlockedIoctl(File file, int cmd, long arg) {
      if (cmd != GET) return Op.pure((long) -Vfs.ENOIOCTLCMD);
      return Uaccess.putUser32(file, arg, 0x0100).map(rc -> (long) rc);
    }
  }

  RunResult run(FileOperations fops, UserProgram program) {
    WorkloadSpec setup = new WorkloadSpec() {
      @Override
      public String kind() {
        return "vfs-test";
      }

      @Override
      public void install(TestbedBuilder tb) {
        tb.onStart(s -> s.kernel().spawn(0, "insmod", new Owner("test_drv", Variant.RAW, "-"),
            Cause.root("test", 0, "module_init"), Vfs.registerChrdev("/dev/test", fops), null));
        tb.spawnProcess("tester", program, 1_000_000L);
      }
    };
    Scenario s = new Scenario("<test>", "vfs", "", 10_000_000L,
        new Scenario.Machine(2, false, Irqs.Affinity.ROUND_ROBIN, 20_000, 1_000_000), KernelConfig.DEFAULT,
        List.of(), List.of(), FaultPlan.NONE, List.of(setup), "");
    return sim.run(s, 1).result();
  }

  @Test
  void systemCallsReachTheDriverWithLinuxErrnoValues() {
    long[] buf = new long[1];
    Script p = new Script(
        c -> Syscall.open("/dev/nope", File.O_RDWR),
        c -> Syscall.open("/dev/test", File.O_RDWR),
        c -> Syscall.read(3, buf[0] = c.mm().map(16), 16),
        c -> Syscall.read(3, 0x10, 4),                      // NULL-ish pointer: -EFAULT, not an oops
        c -> Syscall.ioctl(3, GET, buf[0] + 8),
        c -> Syscall.ioctl(3, UNKNOWN, 0),
        c -> Syscall.ioctl(7, GET, buf[0]),
        c -> Syscall.close(3),
        c -> Syscall.close(3));
    RunResult r = run(new RawTestFops(false), p);
    assertTrue(r.oopses().isEmpty(), () -> r.oopses().toString());
    assertEquals(List.of((long) -Errno.ENOENT, 3L, 4L, (long) -Errno.EFAULT, 0L, (long) -Errno.ENOTTY,
        (long) -Errno.EBADF, 0L, (long) -Errno.EBADF), p.results);
  }

  @Test
  void copyToUserUnderASpinlockIsSleepingInAtomicContext() {
    Script p = new Script(c -> Syscall.open("/dev/test", File.O_RDONLY), c -> Syscall.read(3, c.mm().map(4), 4));
    RunResult r = run(new RawTestFops(true), p);
    assertEquals(1, r.oopses().size(), () -> r.oopses().toString());
    assertEquals("atomic-sleep", r.oopses().get(0).detector());
    assertTrue(r.oopses().get(0).title().contains("copy_to_user"), r.oopses().get(0).title());
    assertEquals("test_drv", r.oopses().get(0).owner().driver(), "blamed on the driver whose read it was");
  }

  @Test
  void safeWritersRefuseToOverrunTheUserBuffer() {
    SafeFileOperations<String> ops = new SafeFileOperations<>() {
      @Override
      public Fallible<String> open(File file) {
        return Fallible.ok("data");
      }

      @Override
      public Fallible<Long> read(String data, File file, UserSliceWriter out) {
        // asks to write 8 bytes whatever the caller's buffer holds: the writer refuses a short buffer
        return out.write(new byte[8]).map(v -> 8L);
      }

      @Override
      public Fallible<Long> ioctl(String data, File file, IoctlCommand cmd) {
        return cmd.cmd() == GET ? cmd.writer().writeInt(7).map(v -> 0L) : Fallible.err(Errno.ENOTTY);
      }
    };
    Script p = new Script(
        c -> Syscall.open("/dev/test", File.O_RDONLY),
        c -> Syscall.read(3, c.mm().map(16), 4),
        c -> Syscall.read(3, c.mm().map(16), 16),
        c -> Syscall.ioctl(3, GET, c.mm().map(4)),
        c -> Syscall.ioctl(3, GET, 0));
    RunResult r = run(SafeChrdev.adapt(ops), p);
    assertTrue(r.oopses().isEmpty(), () -> r.oopses().toString());
    assertEquals(List.of(3L, (long) -Errno.EFAULT, 8L, 0L, (long) -Errno.EFAULT), p.results);
  }

  @Test
  void ioctlNumbersAreEncodedAsInTheKernelHeaders() {
    // _IOR('E', 0xD0, 4) from the article: dir 2, size 4, type 0x45, nr 0xd0
    int cmd = Ioctl.ior('E', 0xD0, 4);
    assertEquals(0x800445d0, cmd);
    assertEquals(0x401045d1, Ioctl.iow('E', 0xD1, 16));
    assertEquals(Ioctl.READ, Ioctl.dir(cmd));
    assertEquals(4, Ioctl.size(cmd));
    assertEquals('E', Ioctl.type(cmd));
    assertEquals(0xD0, Ioctl.nr(cmd));
    assertEquals("_IOR('E', 0xd0, 4)", Ioctl.describe(cmd));
  }
}
