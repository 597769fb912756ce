package dev.devemu.plugin.myusb;

import dev.devemu.plugin.usb.UsbBus;
import dev.devemu.driver.samples.usb.RawMyUsb;
import dev.devemu.driver.samples.usb.SafeMyUsb;
import dev.devemu.driver.api.usb.UsbBindings;
import dev.devemu.scenario.DriverKind;
import dev.devemu.scenario.TestbedBuilder;

/** {@code name = my_usb}: the article's USB 3.2 driver, raw or safe. */
public final class MyUsbKind implements DriverKind {
  @Override
  public String name() {
    return "my_usb";
  }

  @Override
  public String description() {
    return "the article's USB 3.2 driver for abcd:1234: SuperSpeedPlus only, bulk IN streaming with OUT echo";
  }

  @Override
  public boolean matches(dev.devemu.scenario.DeviceSpec device) {
    return "usb-bulk".equals(device.type());
  }

  @Override
  public void load(String variant, TestbedBuilder testbed) {
    testbed.bus(UsbBus.class).addDriver("raw".equals(variant) ? UsbBindings.raw(new RawMyUsb()) : UsbBindings.safe(new SafeMyUsb()));
  }
}
