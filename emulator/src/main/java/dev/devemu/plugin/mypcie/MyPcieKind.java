package dev.devemu.plugin.mypcie;

import dev.devemu.driver.api.pci.PciBindings;
import dev.devemu.driver.samples.pcie.RawMyPcie;
import dev.devemu.driver.samples.pcie.SafeMyPcie;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.scenario.DriverKind;

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

  @Override
  public DriverEntry<?, ?> entry(Variant variant) {
    return variant == Variant.RAW ? PciBindings.raw(new RawMyPcie()) : PciBindings.safe(new SafeMyPcie());
  }
}
