package dev.devemu.hw.pci;

/**
 * The behaviour of one PCI function, apart from the bus glue (QEMU's split between a device core and its PCI
 * front end): a configuration space, BAR registers, and reactions to time and DMA. {@link PciDeviceActor} hosts
 * it and turns messages into these calls.
 */
public interface PciDeviceModel {
  /** A short name for logs and reports, e.g. {@code my_pcie device}. */
  String name();

  /** The function's configuration space; the actor serves config accesses from it. */
  PciConfigSpace config();

  /** A read of {@code size} bytes at {@code offset} in BAR {@code bar}. */
  long readBar(int bar, long offset, int size, DeviceContext dev);

  /** A posted write to BAR {@code bar}. */
  void writeBar(int bar, long offset, int size, long value, DeviceContext dev);

  /** After the OS wrote configuration space (e.g. the command register). */
  default void configWritten(int offset, int size, DeviceContext dev) {}

  /** A timer the model scheduled has expired. */
  default void onTimer(Object token, DeviceContext dev) {}

  /** A DMA transfer the model started has finished ({@code status} 0 or -errno). */
  default void onDmaCompleted(long tag, int status, int length, DeviceContext dev) {}

  /** The device left the bus (surprise or orderly); pending work should stop. */
  default void onRemoved(boolean surprise, DeviceContext dev) {}

  /** The device came back (a re-plug): registers return to their reset values. */
  default void onReset(DeviceContext dev) {}
}
