package dev.devemu.plugin.myusb;

import dev.devemu.hw.device.usb.BulkUsbDevice;
import dev.devemu.kernel.driver.BindableDevice;
import dev.devemu.kernel.usb.UsbDevice;
import dev.devemu.plugin.usb.UsbBus;
import dev.devemu.plugin.usb.UsbDeviceKeys;
import dev.devemu.scenario.DeviceKind;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.ScenarioNode;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.spec.usb.UsbPort;
import dev.devemu.spec.usb.UsbSpeed;
import java.util.List;

/**
 * {@code type = usb-bulk}: keys {@code slot} (root-hub port, {@code 1-1}), {@code speed} (full, high, super,
 * super-plus; default super-plus), {@code data-rate} (bytes per second the IN endpoint produces, default 4096000),
 * {@code out-rate} (bytes per second the OUT endpoint consumes, default 0 = the link's speed), {@code loopback}
 * (IN returns what OUT received, default false), {@code present} (default true); for driver tests' mock devices
 * {@code vendor-id} and {@code product-id} (default abcd:1234) and {@code in-script} / {@code out-script}: lists of
 * answers to the endpoint's first transfers ({@code data}, {@code short:N}, {@code stall}, {@code babble},
 * {@code transaction-error}, {@code silent}; see {@link BulkUsbDevice.Step}).
 */
public final class BulkUsbKind implements DeviceKind {
  @Override
  public String type() {
    return "usb-bulk";
  }

  @Override
  public String description() {
    return "USB 3.2 device abcd:1234 with bulk endpoints 0x81 IN and 0x02 OUT (my_usb)";
  }

  @Override
  public DeviceSpec parse(ScenarioNode node, int line) {
    UsbPort port = UsbDeviceKeys.port(node);
    UsbSpeed speed = UsbDeviceKeys.speedAboveLow(node, "super-plus", "bulk endpoints (USB 2.0 §5.8)");
    double dataRate = node.number("data-rate", 4_096_000.0, 1.0, 1e10);
    double outRate = node.number("out-rate", 0.0, 0.0, 1e10);
    boolean loopback = node.bool("loopback", false);
    boolean present = node.bool("present", true);
    int vendor = (int) node.integer("vendor-id", dev.devemu.datasheet.BulkUsbDatasheet.VENDOR, 0, 0xffff);
    int product = (int) node.integer("product-id", dev.devemu.datasheet.BulkUsbDatasheet.PRODUCT, 0, 0xffff);
    List<BulkUsbDevice.Step> in = script(node, "in-script");
    List<BulkUsbDevice.Step> out = script(node, "out-script");
    java.util.function.Supplier<BulkUsbDevice> model = () -> new BulkUsbDevice(speed, dataRate, outRate, loopback,
        vendor, product, in, out);
    String slot = port.toString();
    return new DeviceSpec.Placed(BulkUsbKind.this.type(), slot, line) {
      @Override
      public boolean supports(dev.devemu.scenario.FaultPlan.Action action) {
        // a port can lose its device or its link; stalls and interrupt bursts are PCIe faults
        return switch (action) {
          case PLUG, UNPLUG, SURPRISE_UNPLUG, LINK_DOWN, LINK_UP -> true;
          default -> false;
        };
      }

      @Override
      public java.util.Set<dev.devemu.fault.Moments.Moment> moments() {
        return java.util.EnumSet.of(dev.devemu.fault.Moments.Moment.DURING_PROBE,
            dev.devemu.fault.Moments.Moment.AFTER_BIND, dev.devemu.fault.Moments.Moment.DURING_REMOVE,
            dev.devemu.fault.Moments.Moment.WITH_URBS_IN_FLIGHT);
      }

      @Override
      public List<BindableDevice> enumerated() {
        BulkUsbDevice m = model.get();
        return List.copyOf(UsbDevice.enumeratedInterfaces(port, speed, m.deviceDescriptor(), m.configuration()));
      }

      @Override
      public UsbModel usbModel() {
        return new UsbModel(port, model.get(), present);
      }

      @Override
      public void install(TestbedBuilder testbed) {
        testbed.bus(UsbBus.class).addDevice(port, model.get(), present);
      }
    };
  }

  private static List<BulkUsbDevice.Step> script(ScenarioNode node, String key) {
    List<BulkUsbDevice.Step> steps = new java.util.ArrayList<>();
    for (String s : node.strings(key)) {
      try {
        steps.add(BulkUsbDevice.Step.parse(s));
      } catch (IllegalArgumentException e) {
        throw node.error(key, e.getMessage());
      }
    }
    return List.copyOf(steps);
  }
}
