package dev.devemu.plugin.mypcie;

import dev.devemu.hw.device.pcie.SamplePcieDevice;
import dev.devemu.kernel.driver.BindableDevice;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.plugin.pci.PciBus;
import dev.devemu.scenario.DeviceKind;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.ScenarioNode;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.spec.pci.PciAddress;
import java.util.List;

/**
 * {@code type = sample-pcie}: keys {@code slot} (PCI address), {@code revision} (default 2),
 * {@code interrupt-rate} (samples per second while enabled, default 100), {@code present} (default true), and for
 * driver tests' mock cards {@code bar0-size} (bytes, a power of two >= 16, or 0 for no BAR0; default the datasheet's)
 * and {@code msi} (default true; false leaves the MSI capability out), {@code vendor-id} and {@code device-id}
 * (default the datasheet's 1234:5678: the same card under other IDs, for a driver bound through new_id).
 */
public final class SamplePcieKind implements DeviceKind {
  @Override
  public String type() {
    return "sample-pcie";
  }

  @Override
  public String description() {
    return "PCIe endpoint 1234:5678 that samples data and signals each sample with an MSI (my_pcie)";
  }

  @Override
  public DeviceSpec parse(ScenarioNode node, int line) {
    String slotText = node.string("slot");
    PciAddress address;
    try {
      address = PciAddress.parse(slotText);
    } catch (IllegalArgumentException e) {
      throw node.error("slot", e.getMessage());
    }
    int revision = (int) node.integer("revision", 2, 0, 255);
    double rate = node.number("interrupt-rate", 100.0, 1e-6, 1e7);
    boolean present = node.bool("present", true);
    long bar0Size = node.integer("bar0-size", dev.devemu.datasheet.SamplePcieDatasheet.BAR0_SIZE, 0, 1L << 30);
    if (bar0Size != 0 && (Long.bitCount(bar0Size) != 1 || bar0Size < 16)) {
      throw node.error("bar0-size", "must be 0 (no BAR0) or a power of two >= 16, not " + bar0Size);
    }
    boolean msi = node.bool("msi", true);
    int vendor = (int) node.integer("vendor-id", dev.devemu.datasheet.SamplePcieDatasheet.VENDOR, 0, 0xfffe);
    int device = (int) node.integer("device-id", dev.devemu.datasheet.SamplePcieDatasheet.DEVICE, 0, 0xffff);
    String slot = address.toString();
    return new DeviceSpec.Placed(SamplePcieKind.this.type(), slot, line) {
      @Override
      public List<BindableDevice> enumerated() {
        return List.of(PciFunction.ofConfig(address,
            new SamplePcieDevice(revision, rate, bar0Size, msi, vendor, device).config().snapshot()));
      }

      @Override
      public void install(TestbedBuilder testbed) {
        testbed.bus(PciBus.class).addDevice(address, new SamplePcieDevice(revision, rate, bar0Size, msi, vendor, device),
            present);
      }
    };
  }
}
