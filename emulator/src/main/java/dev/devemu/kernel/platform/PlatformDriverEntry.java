package dev.devemu.kernel.platform;

import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.Binding;
import dev.devemu.kernel.driver.DriverEntry;

/**
 * A loaded platform driver as the bus sees it ({@code struct platform_driver}): matched by name, as
 * {@code platform_match} does when a driver has no ID table ({@code drivers/base/platform.c}).
 */
public record PlatformDriverEntry(String name, Variant variant, Binder binder)
    implements DriverEntry<PlatformDevice, String> {
  /** Builds the binding for one matched device. */
  public interface Binder {
    Binding bind(PlatformDevice device, Owner owner);
  }

  /** platform_match without an ID table: the driver's name is the device's. */
  @Override
  public String match(PlatformDevice device) {
    return name.equals(device.name()) ? name : null;
  }

  @Override
  public Binding bind(PlatformDevice device, String matched, Owner owner) {
    return binder.bind(device, owner);
  }

  @Override
  public Class<PlatformDevice> deviceType() {
    return PlatformDevice.class;
  }
}
