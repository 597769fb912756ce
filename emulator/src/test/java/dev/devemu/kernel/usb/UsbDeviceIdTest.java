package dev.devemu.kernel.usb;

import static dev.devemu.kernel.usb.UsbDeviceId.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.spec.usb.UsbDescriptors.DeviceDescriptor;
import dev.devemu.spec.usb.UsbDescriptors.InterfaceDescriptor;
import dev.devemu.spec.usb.UsbDescriptors;
import java.util.List;
import org.junit.jupiter.api.Test;

/** usb_match_id and friends against drivers/usb/core/driver.c: every match flag, the vendor-specific rule. */
class UsbDeviceIdTest {
  /** abcd:1234 bcdDevice 1.00, device class 2/3/4, one interface 5 of class ff/06/50. */
  static final DeviceDescriptor DEV = new DeviceDescriptor(0x0320, 2, 3, 4, 9, 0xabcd, 0x1234, 0x0100, 0, 0, 0, 1);
  static final InterfaceDescriptor INTF = new InterfaceDescriptor(5, 0, 2, 0xff, 0x06, 0x50, 0);

  static UsbDeviceId only(int flags, int vendor, int product, int lo, int hi, int dc, int dsc, int dp, int ic,
      int isc, int ip, int in) {
    return UsbDeviceId.of(flags, vendor, product, lo, hi, dc, dsc, dp, ic, isc, ip, in);
  }

  boolean matches(UsbDeviceId id) {
    return matchOneId(DEV, INTF, id);
  }

  @Test
  void vendorAndProduct() {
    assertTrue(matches(only(MATCH_VENDOR, 0xabcd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    assertFalse(matches(only(MATCH_VENDOR, 0xabce, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    assertTrue(matches(only(MATCH_PRODUCT, 0, 0x1234, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    assertFalse(matches(only(MATCH_PRODUCT, 0, 0x1235, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    assertTrue(matches(device(0xabcd, 0x1234)));
    assertFalse(matches(device(0xabcd, 0x4321)));
    // a field without its flag is not compared
    assertTrue(matches(only(MATCH_VENDOR, 0xabcd, 0x9999, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
  }

  @Test
  void bcdDeviceRangeIsInclusive() {
    assertTrue(matches(only(MATCH_DEV_LO, 0, 0, 0x0100, 0, 0, 0, 0, 0, 0, 0, 0)));
    assertFalse(matches(only(MATCH_DEV_LO, 0, 0, 0x0101, 0, 0, 0, 0, 0, 0, 0, 0)));
    assertTrue(matches(only(MATCH_DEV_HI, 0, 0, 0, 0x0100, 0, 0, 0, 0, 0, 0, 0)));
    assertFalse(matches(only(MATCH_DEV_HI, 0, 0, 0, 0x00ff, 0, 0, 0, 0, 0, 0, 0)));
    assertTrue(matches(deviceVersion(0xabcd, 0x1234, 0x0050, 0x0200)));
    assertFalse(matches(deviceVersion(0xabcd, 0x1234, 0x0200, 0x0300)));
  }

  @Test
  void deviceClassSubclassProtocol() {
    assertTrue(matches(only(MATCH_DEV_CLASS, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0)));
    assertFalse(matches(only(MATCH_DEV_CLASS, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0)));
    assertTrue(matches(only(MATCH_DEV_SUBCLASS, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0)));
    assertFalse(matches(only(MATCH_DEV_SUBCLASS, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0)));
    assertTrue(matches(only(MATCH_DEV_PROTOCOL, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0)));
    assertFalse(matches(only(MATCH_DEV_PROTOCOL, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0)));
    assertTrue(matches(deviceInfo(2, 3, 4)));
    assertFalse(matches(deviceInfo(2, 3, 5)));
  }

  @Test
  void interfaceClassSubclassProtocolNumber() {
    assertTrue(matches(only(MATCH_INT_CLASS, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0)));
    assertFalse(matches(only(MATCH_INT_CLASS, 0, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0)));
    assertTrue(matches(only(MATCH_INT_SUBCLASS, 0, 0, 0, 0, 0, 0, 0, 0, 0x06, 0, 0)));
    assertFalse(matches(only(MATCH_INT_SUBCLASS, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0, 0)));
    assertTrue(matches(only(MATCH_INT_PROTOCOL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0)));
    assertFalse(matches(only(MATCH_INT_PROTOCOL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x51, 0)));
    assertTrue(matches(only(MATCH_INT_NUMBER, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5)));
    assertFalse(matches(only(MATCH_INT_NUMBER, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
    assertTrue(matches(interfaceInfo(0xff, 0x06, 0x50)));
    assertTrue(matches(deviceAndInterfaceInfo(0xabcd, 0x1234, 0xff, 0x06, 0x50)));
    assertFalse(matches(deviceAndInterfaceInfo(0xabcd, 0x1234, 0xff, 0x06, 0x51)));
    assertTrue(matches(deviceInterfaceClass(0xabcd, 0x1234, 0xff)));
    assertTrue(matches(deviceInterfaceProtocol(0xabcd, 0x1234, 0x50)));
    assertTrue(matches(deviceInterfaceNumber(0xabcd, 0x1234, 5)));
    assertFalse(matches(deviceInterfaceNumber(0xabcd, 0x1234, 4)));
  }

  @Test
  void vendorSpecificDeviceClassHidesItsInterfacesUnlessTheVendorIsNamed() {
    DeviceDescriptor vendorDev = new DeviceDescriptor(0x0200, 0xff, 0, 0, 64, 0xabcd, 0x1234, 0x0100, 0, 0, 0, 1);
    UsbDeviceId byClass = interfaceInfo(0xff, 0x06, 0x50);
    assertFalse(matchOneId(vendorDev, INTF, byClass), "interface fields are not checked on a vendor-specific device");
    assertFalse(matchOneId(vendorDev, INTF, only(MATCH_INT_NUMBER, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5)));
    assertTrue(matchOneId(vendorDev, INTF, vendorAndInterfaceInfo(0xabcd, 0xff, 0x06, 0x50)),
        "unless the entry names the vendor");
    assertTrue(matchOneId(vendorDev, INTF, deviceInfo(0xff, 0, 0)), "device-level fields still match");
    assertTrue(matchOneId(DEV, INTF, byClass), "the rule is about the device class only");
  }

  @Test
  void matchIdReturnsTheFirstMatchAndStopsAtTheTerminator() {
    UsbDeviceId other = device(0x1111, 0x2222);
    UsbDeviceId first = device(0xabcd, 0x1234).withDriverInfo(1);
    UsbDeviceId second = interfaceInfo(0xff, 0x06, 0x50).withDriverInfo(2);
    assertSame(first, matchId(DEV, INTF, List.of(other, first, second)));
    assertSame(second, matchId(DEV, INTF, List.of(other, second, first)));
    assertNull(matchId(DEV, INTF, List.of(other, terminator(), first)), "entries after { } are not read");
    assertNull(matchId(DEV, INTF, List.of(other)));
    assertNull(matchId(DEV, INTF, null));
    assertFalse(matchOneId(DEV, INTF, null));
  }

  @Test
  void anEntryWithOnlyDriverInfoMatchesEverythingAndDoesNotEndTheTable() {
    UsbDeviceId everything = terminator().withDriverInfo(42);
    assertSame(everything, matchId(DEV, INTF, List.of(device(0x1111, 1), everything)));
  }
}
