package dev.devemu.driver.core;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;

/**
 * A driver matched to a device, as the driver core drives it: probe, and later remove (or disconnect). A bus
 * builds one per match; the raw and the safe driver flavours adapt their own APIs to it.
 */
public interface Binding {
  /** The driver instance, for reports and leak checks. */
  Owner owner();

  /** Name of the probe function as reports print it (e.g. {@code my_pcie_probe}). */
  String probeFunction();

  /** Name of the remove/disconnect function. */
  String removeFunction();

  /** The probe, returning 0 or -errno. */
  Op<Integer> probe();

  /** The remove/disconnect, followed by the release of device-managed resources. */
  Op<Void> remove();
}
