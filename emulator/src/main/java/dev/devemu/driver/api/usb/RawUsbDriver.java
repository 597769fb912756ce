package dev.devemu.driver.api.usb;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.usb.UsbDeviceId;
import dev.devemu.kernel.usb.UsbInterface;
import java.util.List;

/**
 * A USB driver written with C habits ({@code struct usb_driver}): probe returns an int, everything goes through
 * {@link dev.devemu.kernel.usb.UsbCore} directly — a NULL URB can be used, a submit error ignored, a freed URB
 * submitted, a URB left in flight when disconnect returns.
 */
public interface RawUsbDriver {
  String name();

  List<UsbDeviceId> idTable();

  /** {@code .soft_unbind = 1}: the core leaves URBs alone at disconnect while the device is still attached. */
  default boolean softUnbind() {
    return false;
  }

  /** @return 0 or -errno */
  Op<Integer> probe(UsbInterface intf, UsbDeviceId id);

  Op<Void> disconnect(UsbInterface intf);
}
