package dev.devemu.kernel;

/**
 * Thrown inside a kernel call when the bug is fatal to the running task (a NULL dereference, a page fault on an
 * unmapped BAR, BUG()); the CPU catches it and kills the task, as the kernel's oops handler does.
 */
public final class KernelOops extends RuntimeException {
  private final transient Oops oops;

  public KernelOops(Oops oops) {
    super(oops.title(), null, false, false);
    this.oops = oops;
  }

  public Oops oops() {
    return oops;
  }
}
