package dev.devemu.plugin.ipu6;

import dev.devemu.driver.api.pci.PciBindings;
import dev.devemu.driver.samples.camera.RawIpu6Isys;
import dev.devemu.driver.samples.camera.SafeIpu6Isys;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.scenario.DriverKind;

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
  public DriverEntry<?, ?> entry(Variant variant) {
    return variant == Variant.RAW ? PciBindings.raw(new RawIpu6Isys())
        : PciBindings.safe(new SafeIpu6Isys());
  }
}
