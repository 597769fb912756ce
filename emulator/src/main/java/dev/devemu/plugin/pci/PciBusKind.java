package dev.devemu.plugin.pci;

import dev.devemu.scenario.BusKind;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.TestbedBus;

/** The PCI Express bus: first to start. */
public final class PciBusKind implements BusKind {
  @Override
  public String name() {
    return "pci";
  }

  @Override
  public int order() {
    return 10;
  }

  @Override
  public TestbedBus create(TestbedBuilder testbed) {
    return new PciBus(testbed);
  }
}
