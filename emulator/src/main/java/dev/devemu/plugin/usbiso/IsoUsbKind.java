package dev.devemu.plugin.usbiso;

import dev.devemu.hw.device.usb.IsoUsbDevice;
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
 * {@code type = usb-iso}: keys {@code slot} (root-hub port, {@code 1-1}), {@code speed} (full, high, super,
 * super-plus; default high), {@code packet-size} (bytes per 1 ms service interval, wMaxPacketSize of both
 * isochronous endpoints; default 192, 48 kHz 16-bit stereo), {@code present} (default true). No devemu driver
 * binds to it; it is there for hosts that attach it over USB/IP.
 */
public final class IsoUsbKind implements DeviceKind {
  @Override
  public String type() {
    return "usb-iso";
  }

  @Override
  public String description() {
    return "USB streaming device abcd:1235 with isochronous endpoints 0x81 IN and 0x02 OUT in alternate setting 1";
  }

  @Override
  public DeviceSpec parse(ScenarioNode node, int line) {
    UsbPort port = UsbDeviceKeys.port(node);
    UsbSpeed speed = UsbDeviceKeys.speedAboveLow(node, "high", "isochronous endpoints (USB 2.0 §5.6)");
    int max = speed == UsbSpeed.FULL ? 1023 : 1024;
    int packetSize = (int) node.integer("packet-size", 192, 1, max);
    boolean present = node.bool("present", true);
    String slot = port.toString();
    return new DeviceSpec.Placed(IsoUsbKind.this.type(), slot, line) {
      @Override
      public boolean supports(dev.devemu.scenario.FaultPlan.Action action) {
        return switch (action) {
          case PLUG, UNPLUG, SURPRISE_UNPLUG, LINK_DOWN, LINK_UP -> true;
          default -> false;
        };
      }

      @Override
      public java.util.Set<dev.devemu.fault.Moments.Moment> moments() {
        return java.util.EnumSet.of(dev.devemu.fault.Moments.Moment.WITH_URBS_IN_FLIGHT);
      }

      @Override
      public List<BindableDevice> enumerated() {
        IsoUsbDevice model = new IsoUsbDevice(speed, packetSize);
        return List.copyOf(UsbDevice.enumeratedInterfaces(port, speed, model.deviceDescriptor(), model.configuration()));
      }

      @Override
      public UsbModel usbModel() {
        return new UsbModel(port, new IsoUsbDevice(speed, packetSize), present);
      }

      @Override
      public void install(TestbedBuilder testbed) {
        testbed.bus(UsbBus.class).addDevice(port, new IsoUsbDevice(speed, packetSize), present);
      }
    };
  }
}
