package dev.devemu.kernel.usb;

import dev.devemu.spec.usb.UsbDescriptors.DeviceDescriptor;
import dev.devemu.spec.usb.UsbDescriptors.InterfaceDescriptor;
import dev.devemu.spec.usb.UsbDescriptors;
import java.util.List;

/**
 * One entry of a USB driver's ID table ({@code struct usb_device_id}, {@code include/linux/mod_devicetable.h}).
 * {@code matchFlags} says which fields count; the matching functions follow {@code drivers/usb/core/driver.c}
 * line by line ({@code usb_match_device}, {@code usb_match_one_id_intf}, {@code usb_match_one_id},
 * {@code usb_match_id}).
 */
public record UsbDeviceId(int matchFlags, int idVendor, int idProduct, int bcdDeviceLo, int bcdDeviceHi,
    int deviceClass, int deviceSubClass, int deviceProtocol, int interfaceClass, int interfaceSubClass,
    int interfaceProtocol, int interfaceNumber, long driverInfo) {

  public static final int MATCH_VENDOR = 0x0001;
  public static final int MATCH_PRODUCT = 0x0002;
  public static final int MATCH_DEV_LO = 0x0004;
  public static final int MATCH_DEV_HI = 0x0008;
  public static final int MATCH_DEV_CLASS = 0x0010;
  public static final int MATCH_DEV_SUBCLASS = 0x0020;
  public static final int MATCH_DEV_PROTOCOL = 0x0040;
  public static final int MATCH_INT_CLASS = 0x0080;
  public static final int MATCH_INT_SUBCLASS = 0x0100;
  public static final int MATCH_INT_PROTOCOL = 0x0200;
  public static final int MATCH_INT_NUMBER = 0x0400;

  /** USB_DEVICE_ID_MATCH_DEVICE. */
  public static final int MATCH_DEVICE = MATCH_VENDOR | MATCH_PRODUCT;
  /** USB_DEVICE_ID_MATCH_DEV_RANGE. */
  public static final int MATCH_DEV_RANGE = MATCH_DEV_LO | MATCH_DEV_HI;
  /** USB_DEVICE_ID_MATCH_DEVICE_AND_VERSION. */
  public static final int MATCH_DEVICE_AND_VERSION = MATCH_DEVICE | MATCH_DEV_RANGE;
  /** USB_DEVICE_ID_MATCH_DEV_INFO. */
  public static final int MATCH_DEV_INFO = MATCH_DEV_CLASS | MATCH_DEV_SUBCLASS | MATCH_DEV_PROTOCOL;
  /** USB_DEVICE_ID_MATCH_INT_INFO. */
  public static final int MATCH_INT_INFO = MATCH_INT_CLASS | MATCH_INT_SUBCLASS | MATCH_INT_PROTOCOL;

  private static UsbDeviceId flags(int flags) {
    return new UsbDeviceId(flags, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** {@code USB_DEVICE(vend, prod)}. */
  public static UsbDeviceId device(int vendor, int product) {
    return new UsbDeviceId(MATCH_DEVICE, vendor, product, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** {@code USB_DEVICE_VER(vend, prod, lo, hi)}: bcdDevice in [lo, hi]. */
  public static UsbDeviceId deviceVersion(int vendor, int product, int lo, int hi) {
    return new UsbDeviceId(MATCH_DEVICE_AND_VERSION, vendor, product, lo, hi, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** {@code USB_DEVICE_INTERFACE_CLASS(vend, prod, cl)}. */
  public static UsbDeviceId deviceInterfaceClass(int vendor, int product, int cl) {
    return new UsbDeviceId(MATCH_DEVICE | MATCH_INT_CLASS, vendor, product, 0, 0, 0, 0, 0, cl, 0, 0, 0, 0);
  }

  /** {@code USB_DEVICE_INTERFACE_PROTOCOL(vend, prod, pr)}. */
  public static UsbDeviceId deviceInterfaceProtocol(int vendor, int product, int pr) {
    return new UsbDeviceId(MATCH_DEVICE | MATCH_INT_PROTOCOL, vendor, product, 0, 0, 0, 0, 0, 0, 0, pr, 0, 0);
  }

  /** {@code USB_DEVICE_INTERFACE_NUMBER(vend, prod, num)}. */
  public static UsbDeviceId deviceInterfaceNumber(int vendor, int product, int num) {
    return new UsbDeviceId(MATCH_DEVICE | MATCH_INT_NUMBER, vendor, product, 0, 0, 0, 0, 0, 0, 0, 0, num, 0);
  }

  /** {@code USB_DEVICE_INFO(cl, sc, pr)}: a device class. */
  public static UsbDeviceId deviceInfo(int cl, int sc, int pr) {
    return new UsbDeviceId(MATCH_DEV_INFO, 0, 0, 0, 0, cl, sc, pr, 0, 0, 0, 0, 0);
  }

  /** {@code USB_INTERFACE_INFO(cl, sc, pr)}: an interface class. */
  public static UsbDeviceId interfaceInfo(int cl, int sc, int pr) {
    return new UsbDeviceId(MATCH_INT_INFO, 0, 0, 0, 0, 0, 0, 0, cl, sc, pr, 0, 0);
  }

  /** {@code USB_DEVICE_AND_INTERFACE_INFO(vend, prod, cl, sc, pr)}. */
  public static UsbDeviceId deviceAndInterfaceInfo(int vendor, int product, int cl, int sc, int pr) {
    return new UsbDeviceId(MATCH_INT_INFO | MATCH_DEVICE, vendor, product, 0, 0, 0, 0, 0, cl, sc, pr, 0, 0);
  }

  /** {@code USB_VENDOR_AND_INTERFACE_INFO(vend, cl, sc, pr)}. */
  public static UsbDeviceId vendorAndInterfaceInfo(int vendor, int cl, int sc, int pr) {
    return new UsbDeviceId(MATCH_INT_INFO | MATCH_VENDOR, vendor, 0, 0, 0, 0, 0, 0, cl, sc, pr, 0, 0);
  }

  /** An entry with only the given flags and fields, for tables written field by field. */
  public static UsbDeviceId of(int matchFlags, int idVendor, int idProduct, int bcdDeviceLo, int bcdDeviceHi,
      int deviceClass, int deviceSubClass, int deviceProtocol, int interfaceClass, int interfaceSubClass,
      int interfaceProtocol, int interfaceNumber) {
    return new UsbDeviceId(matchFlags, idVendor, idProduct, bcdDeviceLo, bcdDeviceHi, deviceClass, deviceSubClass,
        deviceProtocol, interfaceClass, interfaceSubClass, interfaceProtocol, interfaceNumber, 0);
  }

  /** The all-zero terminator of a C table ({@code { }}). */
  public static UsbDeviceId terminator() {
    return flags(0);
  }

  public UsbDeviceId withDriverInfo(long info) {
    return new UsbDeviceId(matchFlags, idVendor, idProduct, bcdDeviceLo, bcdDeviceHi, deviceClass, deviceSubClass,
        deviceProtocol, interfaceClass, interfaceSubClass, interfaceProtocol, interfaceNumber, info);
  }

  /** usb_match_device: the device-level fields. */
  public static boolean matchDevice(DeviceDescriptor dev, UsbDeviceId id) {
    int f = id.matchFlags;
    if ((f & MATCH_VENDOR) != 0 && id.idVendor != dev.idVendor()) return false;
    if ((f & MATCH_PRODUCT) != 0 && id.idProduct != dev.idProduct()) return false;
    // No need to test bcdDevice_lo != 0, since 0 is never greater than any unsigned number.
    if ((f & MATCH_DEV_LO) != 0 && id.bcdDeviceLo > dev.bcdDevice()) return false;
    if ((f & MATCH_DEV_HI) != 0 && id.bcdDeviceHi < dev.bcdDevice()) return false;
    if ((f & MATCH_DEV_CLASS) != 0 && id.deviceClass != dev.deviceClass()) return false;
    if ((f & MATCH_DEV_SUBCLASS) != 0 && id.deviceSubClass != dev.deviceSubClass()) return false;
    if ((f & MATCH_DEV_PROTOCOL) != 0 && id.deviceProtocol != dev.deviceProtocol()) return false;
    return true;
  }

  /** usb_match_one_id_intf: the interface-level fields, with the vendor-specific-device rule. */
  public static boolean matchOneIdIntf(DeviceDescriptor dev, InterfaceDescriptor intf, UsbDeviceId id) {
    int f = id.matchFlags;
    // The interface class, subclass, protocol and number should never be checked for a match if the device
    // class is Vendor Specific, unless the match record specifies the Vendor ID.
    if (dev.deviceClass() == UsbDescriptors.CLASS_VENDOR_SPEC && (f & MATCH_VENDOR) == 0
        && (f & (MATCH_INT_CLASS | MATCH_INT_SUBCLASS | MATCH_INT_PROTOCOL | MATCH_INT_NUMBER)) != 0) {
      return false;
    }
    if ((f & MATCH_INT_CLASS) != 0 && id.interfaceClass != intf.interfaceClass()) return false;
    if ((f & MATCH_INT_SUBCLASS) != 0 && id.interfaceSubClass != intf.interfaceSubClass()) return false;
    if ((f & MATCH_INT_PROTOCOL) != 0 && id.interfaceProtocol != intf.interfaceProtocol()) return false;
    if ((f & MATCH_INT_NUMBER) != 0 && id.interfaceNumber != intf.number()) return false;
    return true;
  }

  /** usb_match_one_id: {@code id} null never matches. */
  public static boolean matchOneId(DeviceDescriptor dev, InterfaceDescriptor intf, UsbDeviceId id) {
    if (id == null) return false;
    if (!matchDevice(dev, id)) return false;
    return matchOneIdIntf(dev, intf, id);
  }

  /**
   * usb_match_id: the first entry that matches, stopping at the terminator. An entry that is all zeroes except
   * for a nonzero driver_info is how a driver asks to see every device, so it does not end the table.
   */
  public static UsbDeviceId matchId(DeviceDescriptor dev, InterfaceDescriptor intf, List<UsbDeviceId> table) {
    if (table == null) return null;
    for (UsbDeviceId id : table) {
      if (!(id.idVendor != 0 || id.idProduct != 0 || id.deviceClass != 0 || id.interfaceClass != 0
          || id.driverInfo != 0)) {
        break;
      }
      if (matchOneId(dev, intf, id)) return id;
    }
    return null;
  }

}
