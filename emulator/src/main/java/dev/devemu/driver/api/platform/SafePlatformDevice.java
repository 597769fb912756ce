package dev.devemu.driver.api.platform;

import dev.devemu.driver.api.Devres;
import dev.devemu.kernel.platform.PlatformDevice;

/** What a safe platform driver's probe gets: the device's name and its device-managed resources. */
public final class SafePlatformDevice {
  private final PlatformDevice device;
  private final Devres devres;

  SafePlatformDevice(PlatformDevice device, Devres devres) {
    this.device = device;
    this.devres = devres;
  }

  public String name() {
    return device.name();
  }

  /** Register a release here and the driver core runs it, last acquired first, after remove. */
  public Devres devres() {
    return devres;
  }
}
