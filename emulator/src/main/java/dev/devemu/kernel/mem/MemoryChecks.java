package dev.devemu.kernel.mem;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;

/**
 * What watches kernel memory, as the memory code sees it: KASAN's reports of a bad access or free, and KCSAN's
 * look at every access. The detectors implement it ({@code kernel.detect}), so that memory does not depend on the
 * checkers that watch it.
 */
public interface MemoryChecks {
  Kernel.Key<MemoryChecks> KEY = new Kernel.Key<>("memory checks");

  static MemoryChecks of(Kernel kernel) {
    return kernel.subsystem(KEY);
  }

  Oops useAfterFree(Exec x, Allocation a, long offset, int size, boolean write, String what);

  Oops outOfBounds(Exec x, Allocation a, long offset, int size, boolean write, String what);

  Oops doubleFree(Exec x, Allocation a);

  /** Every checked access, for the data-race detector. */
  void access(Exec x, Allocation a, long offset, int size, boolean write, String what);
}
