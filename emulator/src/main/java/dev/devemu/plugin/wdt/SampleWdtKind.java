package dev.devemu.plugin.wdt;

import dev.devemu.hw.device.wdt.SampleWdtDevice;
import dev.devemu.kernel.driver.BindableDevice;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.plugin.pci.PciBus;
import dev.devemu.scenario.DeviceKind;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.ScenarioNode;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.spec.pci.PciAddress;
import java.util.List;

/** {@code type = sample-wdt}: keys {@code slot} (PCI address) and {@code present} (default true). */
public final class SampleWdtKind implements DeviceKind {
  @Override
  public String type() {
    return "sample-wdt";
  }

  @Override
  public String description() {
    return "PCI watchdog 1234:5744: a countdown fed by keepalives, a pretimeout MSI halfway (my_wdt)";
  }

  @Override
  public DeviceSpec parse(ScenarioNode node, int line) {
    PciAddress address;
    try {
      address = PciAddress.parse(node.string("slot"));
    } catch (IllegalArgumentException e) {
      throw node.error("slot", e.getMessage());
    }
    boolean present = node.bool("present", true);
    return new DeviceSpec.Placed(type(), address.toString(), line) {
      @Override
      public List<BindableDevice> enumerated() {
        return List.of(PciFunction.ofConfig(address, new SampleWdtDevice().config().snapshot()));
      }

      @Override
      public void install(TestbedBuilder testbed) {
        testbed.bus(PciBus.class).addDevice(address, new SampleWdtDevice(), present);
      }
    };
  }
}
