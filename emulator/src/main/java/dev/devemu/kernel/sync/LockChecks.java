package dev.devemu.kernel.sync;

import dev.devemu.kernel.Exec;
import dev.devemu.kernel.KLock;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Task;

/**
 * What watches locking, as the locks see it: lockdep hears of every acquisition and reports an unlock by the
 * wrong task. Lockdep implements it ({@code kernel.detect}), so that the locks do not depend on their checker.
 */
public interface LockChecks {
  Kernel.Key<LockChecks> KEY = new Kernel.Key<>("lock checks");

  static LockChecks of(Kernel kernel) {
    return kernel.subsystem(KEY);
  }

  /** {@code task} is about to take {@code lock} (before it waits for it). */
  void acquire(Exec x, Task task, KLock lock);

  /** An unlock of {@code lock} by a task that does not hold it; {@code holder} is who does, or null. */
  Oops badUnlock(Exec x, KLock lock, String holder);
}
