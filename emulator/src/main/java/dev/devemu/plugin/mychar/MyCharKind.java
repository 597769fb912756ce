package dev.devemu.plugin.mychar;

import dev.devemu.plugin.platform.PlatformBus;
import dev.devemu.driver.samples.chardev.MyCharAbi;
import dev.devemu.driver.samples.chardev.RawMyChar;
import dev.devemu.driver.samples.chardev.SafeMyChar;
import dev.devemu.driver.api.platform.PlatformBindings;
import dev.devemu.scenario.DriverKind;
import dev.devemu.scenario.TestbedBuilder;
import java.util.Map;

/** {@code name = my_char}: the article's char device driver, raw or safe; binds to a {@code chardev} device. */
public final class MyCharKind implements DriverKind {
  @Override
  public String name() {
    return "my_char";
  }

  @Override
  public String description() {
    return "the article's char device /dev/my_char: GET_VERSION and SET_CONFIG ioctls, read of the config";
  }

  @Override
  public Map<String, Integer> ioctls() {
    return MyCharAbi.ioctls();
  }

  /** platform_match by name: a {@code chardev} device named {@code my_char}. */
  @Override
  public boolean matches(dev.devemu.scenario.DeviceSpec device) {
    return "chardev".equals(device.type()) && name().equals(device.slot());
  }

  @Override
  public void load(String variant, TestbedBuilder testbed) {
    testbed.bus(PlatformBus.class).addDriver("raw".equals(variant) ? PlatformBindings.raw(new RawMyChar())
        : PlatformBindings.safe(new SafeMyChar()));
  }
}
