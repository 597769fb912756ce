package dev.devemu.plugin.usbiso;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.hw.device.usb.IsoUsbDevice;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbSpeed;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code type = usb-iso}: its keys read strictly, and the descriptors it builds at each speed. */
class IsoUsbKindTest {
  static final String GOOD = """
      scenario { name = "iso", duration = 1s }
      devices = [
        { type = usb-iso, slot = "1-1", speed = high, packet-size = 192 }
      ]
      faults { probability { usb_iso_missed = 0.01 } }
      """;

  static ScenarioException fails(String text) {
    return assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("iso.conf", text));
  }

  @Test
  void theShippedScenarioAndItsKeysParse() throws Exception {
    Scenario s = ScenarioLoader.parse("iso.conf", GOOD);
    DeviceSpec.UsbModel m = s.devices().get(0).usbModel();
    assertEquals(UsbSpeed.HIGH, m.model().speed());
    assertEquals(0x1235, m.model().deviceDescriptor().idProduct());
    assertEquals(0.01, s.faults().probabilities().get("usb_iso_missed"));
    assertNotNull(ScenarioLoader.load(Path.of("../scenarios/usbip/usb-iso.conf")).devices().get(0).usbModel());
  }

  @Test
  void badValuesNameTheirKey() {
    ScenarioException low = fails(GOOD.replace("speed = high", "speed = low"));
    assertEquals("devices[0].speed", low.key(), low.getMessage());
    assertTrue(low.getMessage().startsWith("iso.conf:3: devices[0].speed:"), low.getMessage());
    ScenarioException size = fails(GOOD.replace("packet-size = 192", "packet-size = 1025"));
    assertEquals("devices[0].packet-size", size.key(), size.getMessage());
    ScenarioException full = fails(GOOD.replace("speed = high, packet-size = 192", "speed = full, packet-size = 1024"));
    assertEquals("devices[0].packet-size", full.key(), "1024 is above full speed's 1023: " + full.getMessage());
  }

  @Test
  void superSpeedEndpointsHaveCompanionsAndTheDeviceABos() {
    IsoUsbDevice ss = new IsoUsbDevice(UsbSpeed.SUPER, 1024);
    UsbDescriptors.Interface alt1 = ss.configuration().interfaces().get(1);
    assertEquals(1, alt1.desc().alternateSetting());
    for (UsbDescriptors.Endpoint e : alt1.endpoints()) {
      assertEquals(UsbDescriptors.ENDPOINT_XFER_ISOC, e.desc().attributes() & 3);
      assertEquals(1024, e.companion().bytesPerInterval());
      assertEquals(4, e.desc().interval(), "2^(4-1) x 125 us = 1 ms");
    }
    assertNotNull(ss.bos());
    assertEquals(1, ss.configuration().desc().numInterfaces());
    IsoUsbDevice fs = new IsoUsbDevice(UsbSpeed.FULL, 192);
    assertEquals(1, fs.configuration().interfaces().get(1).endpoints().get(0).desc().interval(), "1 frame = 1 ms");
    assertNull(fs.bos(), "a USB 2.0 device (bcdUSB 0x0200) has no BOS");
    assertEquals(0, fs.configuration().interfaces().get(0).endpoints().size(), "alt 0: no bandwidth");
  }
}
