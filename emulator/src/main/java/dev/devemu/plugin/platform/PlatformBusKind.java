package dev.devemu.plugin.platform;

import dev.devemu.scenario.BusKind;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.TestbedBus;

/** The platform bus: starts after PCI. */
public final class PlatformBusKind implements BusKind {
  @Override
  public String name() {
    return "platform";
  }

  @Override
  public int order() {
    return 20;
  }

  @Override
  public TestbedBus create(TestbedBuilder testbed) {
    return new PlatformBus(testbed);
  }
}
