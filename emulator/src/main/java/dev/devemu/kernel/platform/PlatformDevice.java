package dev.devemu.kernel.platform;

import dev.devemu.kernel.Owner;
import dev.devemu.kernel.driver.BindableDevice;

/**
 * {@code struct platform_device}: a device the platform bus knows by name ({@code my_char}), with the driver
 * data its driver stores in it ({@code platform_set_drvdata}) and the driver instance bound to it.
 */
public final class PlatformDevice implements BindableDevice {
  private final String name;
  private Object drvdata;
  private Owner owner = Owner.KERNEL;

  public PlatformDevice(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  /** platform_get_drvdata: a raw pointer, as C has it. */
  public Object drvdata() {
    return drvdata;
  }

  public void drvdata(Object data) {
    this.drvdata = data;
  }

  public Owner owner() {
    return owner;
  }

  @Override
  public void owner(Owner owner) {
    this.owner = owner;
  }

  /** {@code platform:my_char}, as {@code platform_uevent} builds it. */
  @Override
  public String modalias() {
    return "platform:" + name;
  }

  @Override
  public String toString() {
    return name;
  }
}
