package dev.devemu.kernel.driver;

import dev.devemu.kernel.Owner;

/**
 * What the driver core needs of a bus's device ({@code struct device}): the name it goes by, what it says it is,
 * and whose code now owns it — a driver while one is bound, the kernel otherwise.
 */
public interface BindableDevice {
  String name();

  /** What the device says it is, in the kernel's modalias format ({@code pci:v00001234d00005678…}). */
  String modalias();

  void owner(Owner owner);
}
