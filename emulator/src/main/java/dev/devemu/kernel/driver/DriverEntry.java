package dev.devemu.kernel.driver;

import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Variant;

/**
 * A driver registered with a bus ({@code struct device_driver} inside a bus's own driver struct): its name and
 * flavour, the bus's matching rule applied to its ID table, and how to bind it to a device that matched.
 *
 * @param <D> the bus's device ({@code struct pci_dev}, {@code struct usb_interface}, {@code struct platform_device})
 * @param <M> what a match finds: the ID-table entry that matched ({@code pci_device_id}, {@code usb_device_id})
 */
public interface DriverEntry<D extends BindableDevice, M> {
  String name();

  Variant variant();

  /** The class of device the driver's bus has: a driver is only ever matched against those. */
  Class<D> deviceType();

  /** Whether this driver's ID table takes {@code device}, by its bus's rule (false for another bus's device). */
  default boolean takes(BindableDevice device) {
    return deviceType().isInstance(device) && match(deviceType().cast(device)) != null;
  }

  /**
   * The bus's matching rule — {@code pci_match_one_device}, {@code usb_match_id}, the platform bus's name match — on
   * this driver's ID table: the entry that matched, or null when the driver does not take the device.
   */
  M match(D device);

  /**
   * The driver with dynamic IDs added, as writing {@code "vendor device"} to its {@code new_id} file in sysfs does
   * ({@code pci_add_dynid}, {@code usb_store_new_id}): matched before its own ID table, with any subsystem and no
   * driver data. Each ID is {vendor, device} (PCI) or {vendor, product} (USB).
   *
   * @throws UnsupportedOperationException for a bus without new_id (the platform bus matches by name)
   */
  default DriverEntry<D, M> withNewIds(java.util.List<int[]> ids) {
    throw new UnsupportedOperationException("the bus of driver " + name() + " has no new_id");
  }

  /** The binding the driver core runs (probe, later remove) for a device that matched. */
  Binding bind(D device, M matched, Owner owner);
}
