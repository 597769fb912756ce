package dev.devemu.kernel.usb;

import dev.devemu.spec.usb.UsbDescriptors.DeviceDescriptor;
import dev.devemu.spec.usb.UsbDescriptors.InterfaceDescriptor;
import dev.devemu.spec.usb.UsbDescriptors;

/**
 * The modalias of a USB interface, as {@code modalias_show} in {@code drivers/usb/core/sysfs.c} prints it (and
 * {@code usb_uevent} sends as MODALIAS): {@code usb:vABCDp1234d0100dc00dsc00dp00icFFisc00ip00in00}.
 */
public final class UsbModalias {
  private UsbModalias() {}

  public static String of(DeviceDescriptor dev, InterfaceDescriptor alt) {
    return String.format("usb:v%04Xp%04Xd%04Xdc%02Xdsc%02Xdp%02Xic%02Xisc%02Xip%02Xin%02X",
        dev.idVendor(), dev.idProduct(), dev.bcdDevice(), dev.deviceClass(), dev.deviceSubClass(),
        dev.deviceProtocol(), alt.interfaceClass(), alt.interfaceSubClass(), alt.interfaceProtocol(), alt.number());
  }
}
