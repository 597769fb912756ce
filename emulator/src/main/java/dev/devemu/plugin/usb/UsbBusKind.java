package dev.devemu.plugin.usb;

import dev.devemu.scenario.BusKind;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.TestbedBus;

/** USB behind an xHCI controller: starts after PCI and the platform bus. */
public final class UsbBusKind implements BusKind {
  @Override
  public String name() {
    return "usb";
  }

  @Override
  public int order() {
    return 30;
  }

  @Override
  public TestbedBus create(TestbedBuilder testbed) {
    return new UsbBus(testbed);
  }
}
