package dev.devemu.plugin.ipu6;

import dev.devemu.plugin.pci.PciBus;
import dev.devemu.driver.samples.camera.RawIpu6Isys;
import dev.devemu.driver.samples.camera.SafeIpu6Isys;
import dev.devemu.driver.api.pci.PciBindings;
import dev.devemu.scenario.DriverKind;
import dev.devemu.scenario.TestbedBuilder;

/** {@code name = ipu6_isys}: the article's IPU6 camera driver (V4L2 capture on /dev/videoN), raw or safe. */
public final class Ipu6IsysDriverKind implements DriverKind {
  @Override
  public String name() {
    return RawIpu6Isys.NAME;
  }

  @Override
  public String description() {
    return "the article's IPU6 camera case study for 8086:9a19: V4L2 capture, DMA frame buffers, frame-done MSI";
  }

  @Override
  public boolean matches(dev.devemu.scenario.DeviceSpec device) {
    return "ipu6-isys".equals(device.type());
  }

  @Override
  public void load(String variant, TestbedBuilder testbed) {
    testbed.bus(PciBus.class).addDriver("raw".equals(variant) ? PciBindings.raw(new RawIpu6Isys())
        : PciBindings.safe(new SafeIpu6Isys()));
  }
}
