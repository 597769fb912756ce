package dev.devemu.kernel.detect;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.MemoryChecks;

/**
 * The detectors of one kernel that watch its subsystems: KASAN and KCSAN on memory, lockdep on locks, the MMIO
 * checks on BAR accesses. The kernel's core makes its own reports ({@link dev.devemu.kernel.Bugs}, the hung-task
 * watchdog); the driver core checks for leaks after remove.
 */
public final class Detectors implements MemoryChecks {
  public static final Kernel.Key<Detectors> KEY = new Kernel.Key<>("detectors");

  private final Kasan kasan;
  private final MmioCheck mmio;
  private final Kcsan kcsan;
  private final Lockdep lockdep;

  public Detectors(Kernel kernel) {
    this.kasan = new Kasan(kernel, this);
    this.mmio = new MmioCheck(kernel);
    this.kcsan = new Kcsan(kernel);
    this.lockdep = new Lockdep(kernel);
  }

  /** The detectors of {@code kernel}. */
  public static Detectors of(Kernel kernel) {
    return kernel.subsystem(KEY);
  }

  public Kasan kasan() {
    return kasan;
  }

  public MmioCheck mmio() {
    return mmio;
  }

  public Kcsan kcsan() {
    return kcsan;
  }

  public Lockdep lockdep() {
    return lockdep;
  }

  // ---- MemoryChecks: KASAN and KCSAN, for the memory code ----

  @Override
  public Oops useAfterFree(Exec x, Allocation a, long offset, int size, boolean write, String what) {
    return kasan.useAfterFree(x, a, offset, size, write, what);
  }

  @Override
  public Oops outOfBounds(Exec x, Allocation a, long offset, int size, boolean write, String what) {
    return kasan.outOfBounds(x, a, offset, size, write, what);
  }

  @Override
  public Oops doubleFree(Exec x, Allocation a) {
    return kasan.doubleFree(x, a);
  }

  @Override
  public void access(Exec x, Allocation a, long offset, int size, boolean write, String what) {
    kcsan.access(x, a, offset, size, write, what);
  }
}
