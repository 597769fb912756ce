package dev.devemu.driver.api.usb;

import dev.devemu.plugin.usb.UsbBus;
import dev.devemu.scenario.DriverKind;
import dev.devemu.scenario.TestbedBuilder;

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
  public void load(String variant, TestbedBuilder testbed) {
    testbed.bus(UsbBus.class).addDriver(UsbBindings.safe(new SafeUsbApiTest.ScriptedDriver()));
  }
}
