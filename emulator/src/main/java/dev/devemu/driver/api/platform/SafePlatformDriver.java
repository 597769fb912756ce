package dev.devemu.driver.api.platform;

import dev.devemu.driver.api.Fallible;
import dev.devemu.kernel.Op;

/**
 * Rust-for-Linux's {@code platform::Driver}: probe returns the driver's data or an error, resources acquired
 * through {@link SafePlatformDevice#devres()} are released by the driver core after remove or a failed probe.
 *
 * @param <D> the driver's per-device data
 */
public interface SafePlatformDriver<D> {
  String name();

  Fallible<D> probe(SafePlatformDevice pdev);

  /** What must happen before the device-managed resources go; often nothing. */
  default Op<Void> remove(D data) {
    return Op.done();
  }
}
