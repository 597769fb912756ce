package dev.devemu.kernel.usb;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.hw.device.usb.BulkUsbDevice;
import dev.devemu.spec.usb.UsbDescriptors.Configuration;
import dev.devemu.spec.usb.UsbDescriptors.DeviceDescriptor;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbPort;
import dev.devemu.spec.usb.UsbSetup;
import dev.devemu.spec.usb.UsbSpeed;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bulk device's descriptors byte for byte (layouts of include/uapi/linux/usb/ch9.h, values of the USB 3.2
 * specification), parsing, the BOS, setup packets, pipes and the modalias format.
 */
class UsbDescriptorsTest {
  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void superSpeedPlusDeviceDescriptor() {
    BulkUsbDevice dev = new BulkUsbDevice(UsbSpeed.SUPER_PLUS, 1e6, 0);
    // bLength bDescriptorType bcdUSB=0x0320 class/sub/proto=0 bMaxPacketSize0=9 (512) idVendor=abcd
    // idProduct=1234 bcdDevice=0100 iManufacturer/iProduct/iSerial=0 bNumConfigurations=1
    assertArrayEquals(hex("12 01 2003 00 00 00 09 cdab 3412 0001 00 00 00 01"), dev.deviceDescriptor().toBytes());
    assertEquals(dev.deviceDescriptor(), DeviceDescriptor.parse(dev.deviceDescriptor().toBytes()));
  }

  @Test
  void superSpeedConfigurationWithEndpointCompanions() {
    BulkUsbDevice dev = new BulkUsbDevice(UsbSpeed.SUPER_PLUS, 1e6, 0);
    byte[] expected = hex(
        "09 02 2c00 01 01 00 80 32"      // config: wTotalLength 44, 1 interface, value 1, bus powered
        + "09 04 00 00 02 ff 00 00 00"   // interface 0, 2 endpoints, vendor-specific class
        + "07 05 81 02 0004 00"          // bulk IN 0x81, wMaxPacketSize 1024
        + "06 30 03 00 0000"             // SuperSpeed companion: bMaxBurst 3 (4 packets), no streams
        + "07 05 02 02 0004 00"          // bulk OUT 0x02
        + "06 30 03 00 0000");
    assertArrayEquals(expected, dev.configuration().toBytes());
    Configuration parsed = Configuration.parse(expected);
    assertEquals(dev.configuration(), parsed);
    assertEquals(2, parsed.interfaces().get(0).endpoints().size());
    assertEquals(1024, parsed.interfaces().get(0).endpoints().get(0).desc().maxp());
    assertNotNull(parsed.interfaces().get(0).endpoints().get(1).companion());
  }

  @Test
  void atHighSpeedTheSameDeviceLooksLikeAUsb2Device() {
    BulkUsbDevice dev = new BulkUsbDevice(UsbSpeed.HIGH, 1e6, 0);
    assertArrayEquals(hex("12 01 1002 00 00 00 40 cdab 3412 0001 00 00 00 01"), dev.deviceDescriptor().toBytes());
    assertArrayEquals(hex("09 02 2000 01 01 00 80 32 09 04 00 00 02 ff 00 00 00 07 05 81 02 0002 00 07 05 02 02 0002 00"),
        dev.configuration().toBytes());
    assertArrayEquals(hex("07 05 81 02 4000 00"), java.util.Arrays.copyOfRange(
        new BulkUsbDevice(UsbSpeed.FULL, 1e6, 0).configuration().toBytes(), 18, 25), "full speed: 64-byte packets");
    assertThrows(IllegalArgumentException.class, () -> new BulkUsbDevice(UsbSpeed.LOW, 1e6, 0));
  }

  @Test
  void binaryObjectStoreOfASuperSpeedPlusDevice() {
    byte[] bos = UsbDescriptors.bos(true);
    assertArrayEquals(hex("05 0f 2a00 03"
        + "07 10 02 02000000"                          // USB 2.0 extension: LPM
        + "0a 10 03 00 0e00 01 0a 2000"                // SuperSpeed: full/high/5G, U1 10 us, U2 32 us
        + "14 10 0a 00 01000000 0011 0000 30400a00 b0400a00"), bos); // SSP: Gen 2x1 RX and TX, 10 Gb/s
    assertEquals(List.of(UsbDescriptors.CAP_TYPE_EXT, UsbDescriptors.SS_CAP_TYPE, UsbDescriptors.SSP_CAP_TYPE),
        UsbDescriptors.bosCapabilities(bos));
    assertEquals(List.of(UsbDescriptors.CAP_TYPE_EXT, UsbDescriptors.SS_CAP_TYPE),
        UsbDescriptors.bosCapabilities(UsbDescriptors.bos(false)));
  }

  @Test
  void parsingSkipsUnknownDescriptorsAndRejectsBadLengths() {
    byte[] withExtra = hex("09 02 1c00 01 01 00 80 32 09 04 00 00 01 ff 00 00 00 03 24 01 07 05 81 02 0002 00");
    Configuration c = Configuration.parse(withExtra);
    assertEquals(0x81, c.interfaces().get(0).endpoints().get(0).desc().address());
    assertThrows(IllegalArgumentException.class, () -> Configuration.parse(hex("09 02 0c00 01 01 00 80 32 01 04 00")));
  }

  @Test
  void modaliasHasTheKernelsFormat() {
    BulkUsbDevice dev = new BulkUsbDevice(UsbSpeed.SUPER_PLUS, 1e6, 0);
    assertEquals("usb:vABCDp1234d0100dc00dsc00dp00icFFisc00ip00in00",
        UsbModalias.of(dev.deviceDescriptor(), dev.configuration().interfaces().get(0).desc()));
    assertEquals("usb:v0001p0002d0A0Bdc0Cdsc0Ddp0Eic0Fisc10ip11in12", UsbModalias.of(
        new DeviceDescriptor(0x0200, 0x0c, 0x0d, 0x0e, 64, 1, 2, 0x0a0b, 0, 0, 0, 1),
        new UsbDescriptors.InterfaceDescriptor(0x12, 0, 0, 0x0f, 0x10, 0x11, 0)));
  }

  @Test
  void setupPacketsAndPipes() {
    assertArrayEquals(hex("80 06 0001 0000 1200"), UsbSetup.getDescriptor(UsbDescriptors.DT_DEVICE, 0, 18).toBytes());
    assertArrayEquals(hex("00 09 0100 0000 0000"), UsbSetup.setConfiguration(1).toBytes());
    assertArrayEquals(hex("02 01 0000 8100 0000"), UsbSetup.clearHalt(0x81).toBytes());
    assertEquals(UsbSetup.getDescriptor(2, 0, 9), UsbSetup.parse(UsbSetup.getDescriptor(2, 0, 9).toBytes()));
    UsbDevice dev = new UsbDevice(null, new UsbPort(1, 1), UsbSpeed.SUPER_PLUS);
    dev.devnum(2);
    int in = UsbPipe.rcvBulk(dev, 1);
    assertEquals(0xC0008280, in);
    assertTrue(UsbPipe.in(in));
    assertEquals(1, UsbPipe.endpoint(in));
    assertEquals(2, UsbPipe.device(in));
    assertEquals(UsbPipe.BULK, UsbPipe.type(in));
    assertFalse(UsbPipe.in(UsbPipe.sndBulk(dev, 2)));
  }

  @Test
  void portNamesFollowLinux() {
    assertEquals("1-3", UsbPort.parse("1-3").toString());
    assertEquals("1-3:1.0", UsbPort.parse("1-3").interfaceName(1, 0));
    assertThrows(IllegalArgumentException.class, () -> UsbPort.parse("usb1-1"));
    assertThrows(IllegalArgumentException.class, () -> UsbPort.parse("2-1"));
    assertThrows(IllegalArgumentException.class, () -> UsbPort.parse("1-16"));
    assertTrue(UsbPort.looksLike("2-1"));
    assertFalse(UsbPort.looksLike("0000:00:02.0"));
  }
}
