package dev.devemu.kernel.pci;

import dev.devemu.hw.pci.PciConfigSpace;

/**
 * One entry of a driver's ID table ({@code struct pci_device_id}). Matching follows {@code pci_match_one_device}:
 * each of vendor, device, subvendor and subdevice matches if it is {@link #ANY} or equal, and the class matches if
 * {@code (id.class ^ dev.class) & class_mask} is zero.
 */
public record PciDeviceId(int vendor, int device, int subvendor, int subdevice, int classCode, int classMask,
    long driverData) {
  /** PCI_ANY_ID: (~0). */
  public static final int ANY = 0xFFFFFFFF;

  /** {@code PCI_DEVICE(vendor, device)}. */
  public static PciDeviceId of(int vendor, int device) {
    return new PciDeviceId(vendor, device, ANY, ANY, 0, 0, 0);
  }

  /** {@code PCI_DEVICE_SUB(vendor, device, subvendor, subdevice)}. */
  public static PciDeviceId sub(int vendor, int device, int subvendor, int subdevice) {
    return new PciDeviceId(vendor, device, subvendor, subdevice, 0, 0, 0);
  }

  /** {@code PCI_DEVICE_CLASS(class, mask)}: any vendor and device of a class. */
  public static PciDeviceId ofClass(int classCode, int classMask) {
    return new PciDeviceId(ANY, ANY, ANY, ANY, classCode, classMask, 0);
  }

  public PciDeviceId withDriverData(long data) {
    return new PciDeviceId(vendor, device, subvendor, subdevice, classCode, classMask, data);
  }

  /** pci_match_one_device. */
  public boolean matches(int devVendor, int devDevice, int devSubvendor, int devSubdevice, int devClass) {
    return (vendor == ANY || vendor == devVendor)
        && (device == ANY || device == devDevice)
        && (subvendor == ANY || subvendor == devSubvendor)
        && (subdevice == ANY || subdevice == devSubdevice)
        && ((classCode ^ devClass) & classMask) == 0;
  }

  public boolean matches(PciConfigSpace cfg) {
    return matches(cfg.vendorId(), cfg.deviceId(), cfg.subsystemVendorId(), cfg.subsystemId(), cfg.classCode());
  }

  /** The terminating all-zero entry of a C table. */
  public boolean isTerminator() {
    return vendor == 0 && device == 0 && subvendor == 0 && subdevice == 0 && classMask == 0;
  }
}
