package dev.devemu.driver.api.usb;

import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.scenario.DriverKind;

/** {@code name = safeurbtest}: registers {@link SafeUsbApiTest.ScriptedDriver} (test resources, META-INF/services). */
public final class SafeUrbTestKind implements DriverKind {
  @Override
  public String name() {
    return "safeurbtest";
  }

  @Override
  public String description() {
    return "a scripted safe USB driver for tests";
  }

  @Override
  public DriverEntry<?, ?> entry(Variant variant) {
    return UsbBindings.safe(new SafeUsbApiTest.ScriptedDriver());
  }
}
