package dev.devemu.plugin.mychar;

import dev.devemu.driver.api.platform.PlatformBindings;
import dev.devemu.driver.samples.chardev.MyCharAbi;
import dev.devemu.driver.samples.chardev.RawMyChar;
import dev.devemu.driver.samples.chardev.SafeMyChar;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.scenario.DriverKind;
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

  @Override
  public DriverEntry<?, ?> entry(Variant variant) {
    return variant == Variant.RAW ? PlatformBindings.raw(new RawMyChar())
        : PlatformBindings.safe(new SafeMyChar());
  }
}
