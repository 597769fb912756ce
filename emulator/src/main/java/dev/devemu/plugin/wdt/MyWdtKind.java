package dev.devemu.plugin.wdt;

import dev.devemu.driver.api.pci.PciBindings;
import dev.devemu.driver.samples.wdt.RawMyWdt;
import dev.devemu.driver.samples.wdt.SafeMyWdt;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.scenario.DriverKind;

/** {@code name = my_wdt}: the sample watchdog's driver, raw or safe. */
public final class MyWdtKind implements DriverKind {
  @Override
  public String name() {
    return "my_wdt";
  }

  @Override
  public String description() {
    return "PCI watchdog driver for 1234:5744: arms the countdown, feeds it from the pretimeout interrupt";
  }

  @Override
  public DriverEntry<?, ?> entry(Variant variant) {
    return variant == Variant.RAW ? PciBindings.raw(new RawMyWdt()) : PciBindings.safe(new SafeMyWdt());
  }
}
