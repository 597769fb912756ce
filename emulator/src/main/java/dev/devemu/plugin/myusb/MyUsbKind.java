package dev.devemu.plugin.myusb;

import dev.devemu.driver.api.usb.UsbBindings;
import dev.devemu.driver.samples.usb.RawMyUsb;
import dev.devemu.driver.samples.usb.SafeMyUsb;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.scenario.DriverKind;

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
  public DriverEntry<?, ?> entry(Variant variant) {
    return variant == Variant.RAW ? UsbBindings.raw(new RawMyUsb()) : UsbBindings.safe(new SafeMyUsb());
  }
}
