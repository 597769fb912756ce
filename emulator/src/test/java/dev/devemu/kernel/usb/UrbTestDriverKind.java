package dev.devemu.kernel.usb;

import dev.devemu.driver.api.usb.UsbBindings;
import dev.devemu.plugin.usb.UsbBus;
import dev.devemu.scenario.DriverKind;
import dev.devemu.scenario.TestbedBuilder;

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
  public void load(String variant, TestbedBuilder testbed) {
    testbed.bus(UsbBus.class).addDriver(UsbBindings.raw(new UrbTestDriver()));
  }
}
