package dev.devemu.kernel;

/**
 * Whose code a task runs, so that a report blames the right driver: the driver's name, its variant
 * ({@link Variant}; none for the kernel's own code) and the device it is bound to (e.g. {@code 0000:00:02.0}).
 */
public record Owner(String driver, Variant variant, String device) {
  /** Core kernel code (bus enumeration, the xHCI interrupt handler before it calls a driver). */
  public static final Owner KERNEL = new Owner("kernel", null, "-");

  /** The variant as result files write it: {@code raw}, {@code safe}, or {@code -} for the kernel's own code. */
  public String variantWord() {
    return variant == null ? "-" : variant.toString();
  }

  public boolean isKernel() {
    return this == KERNEL || "kernel".equals(driver);
  }

  @Override
  public String toString() {
    return isKernel() ? "kernel" : driver + "[" + variantWord() + "] on " + device;
  }
}
