package dev.devemu.kernel;

/**
 * Whose code a task runs, so that a report blames the right driver: the driver's name, its variant
 * ({@code raw} or {@code safe}) and the device it is bound to (e.g. {@code 0000:00:02.0}).
 */
public record Owner(String driver, String variant, String device) {
  /** Core kernel code (bus enumeration, the xHCI interrupt handler before it calls a driver). */
  public static final Owner KERNEL = new Owner("kernel", "-", "-");

  public boolean isKernel() {
    return this == KERNEL || "kernel".equals(driver);
  }

  @Override
  public String toString() {
    return isKernel() ? "kernel" : driver + "[" + variant + "] on " + device;
  }
}
