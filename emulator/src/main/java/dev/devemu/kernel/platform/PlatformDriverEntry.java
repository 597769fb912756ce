package dev.devemu.kernel.platform;

import dev.devemu.kernel.driver.Binding;
import dev.devemu.kernel.Owner;

/**
 * A loaded platform driver as the bus sees it ({@code struct platform_driver}): matched by name, as
 * {@code platform_match} does when a driver has no ID table ({@code drivers/base/platform.c}).
 */
public record PlatformDriverEntry(String name, String variant, Binder binder) {
  /** Builds the binding for one matched device. */
  public interface Binder {
    Binding bind(PlatformDevice device, Owner owner);
  }

  public boolean matches(PlatformDevice device) {
    return name.equals(device.name());
  }
}
