package dev.devemu.plugin.mypcie;

import dev.devemu.plugin.pci.PciBus;
import dev.devemu.driver.samples.pcie.RawMyPcie;
import dev.devemu.driver.samples.pcie.SafeMyPcie;
import dev.devemu.driver.api.pci.PciBindings;
import dev.devemu.scenario.DriverKind;
import dev.devemu.scenario.TestbedBuilder;

/** {@code name = my_pcie}: the article's PCIe driver, raw or safe. */
public final class MyPcieKind implements DriverKind {
  @Override
  public String name() {
    return "my_pcie";
  }

  @Override
  public String description() {
    return "the article's PCIe driver for 1234:5678: probe, MSI handler, remove";
  }

  /** The sample PCIe endpoint is the only device with 1234:5678. */
  @Override
  public boolean matches(dev.devemu.scenario.DeviceSpec device) {
    return "sample-pcie".equals(device.type());
  }

  @Override
  public void load(String variant, TestbedBuilder testbed) {
    testbed.bus(PciBus.class).addDriver("raw".equals(variant) ? PciBindings.raw(new RawMyPcie()) : PciBindings.safe(new SafeMyPcie()));
  }
}
