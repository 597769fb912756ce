package dev.devemu.kernel.usb;

import dev.devemu.driver.api.usb.UsbBindings;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.scenario.DriverKind;

/** {@code name = urbtest}: registers {@link UrbTestDriver} (test resources, META-INF/services). */
public final class UrbTestDriverKind implements DriverKind {
  @Override
  public String name() {
    return UrbTestDriver.NAME;
  }

  @Override
  public String description() {
    return "a scripted USB driver for tests";
  }

  @Override
  public DriverEntry<?, ?> entry(Variant variant) {
    return UsbBindings.raw(new UrbTestDriver());
  }
}
