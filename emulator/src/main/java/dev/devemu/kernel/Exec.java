package dev.devemu.kernel;

import dev.devemu.sim.Cause;

/** What a kernel call sees while it runs: the kernel, the task and the CPU it runs on, and the time. */
public interface Exec {
  Kernel kernel();

  Task task();

  int cpu();

  default long now() {
    return kernel().now();
  }

  /** The task's causal chain extended by what this call does, stamped with this CPU and time. */
  default Cause cause(String what) {
    return task().cause() == null
        ? new Cause(task().comm(), cpu(), now(), what, null)
        : task().cause().then(task().comm(), cpu(), now(), what);
  }

  /** Like {@link #cause(String)}, building the description only if a report prints it. */
  default Cause cause(java.util.function.Supplier<String> what) {
    return task().cause() == null
        ? Cause.rootLazy(task().comm(), cpu(), now(), what)
        : task().cause().thenLazy(task().comm(), cpu(), now(), what);
  }
}
