package dev.devemu.driver.samples.wdt;

import dev.devemu.datasheet.SampleWdtDatasheet;
import dev.devemu.kernel.pci.PciDeviceId;
import java.util.List;

/** What both variants of my_wdt share: the name, the ID table and the timeout they arm. */
final class MyWdt {
  static final String NAME = "my_wdt";
  static final List<PciDeviceId> ID_TABLE =
      List.of(PciDeviceId.of(SampleWdtDatasheet.VENDOR, SampleWdtDatasheet.DEVICE));
  /** The timeout probe arms (the watchdog core's default would be 60 s; short, so a run sees many pretimeouts). */
  static final int TIMEOUT_MS = 4;

  private MyWdt() {}
}
