package dev.devemu.kernel.usb;

import dev.devemu.kernel.Owner;
import dev.devemu.kernel.driver.BindableDevice;
import dev.devemu.spec.usb.UsbDescriptors.Interface;
import dev.devemu.spec.usb.UsbDescriptors;
import java.util.List;

/**
 * The kernel's {@code struct usb_interface}: what a USB driver binds to ({@code 1-1:1.0}), its current alternate
 * setting and endpoints, and the driver's data ({@code usb_set_intfdata}).
 */
public final class UsbInterface implements BindableDevice {
  private final UsbDevice device;
  private final String name;
  private final Interface altsetting;
  private final List<UsbHostEndpoint> endpoints;
  private Object intfdata;
  private Owner owner = Owner.KERNEL;

  UsbInterface(UsbDevice device, String name, Interface altsetting, List<UsbHostEndpoint> endpoints) {
    this.device = device;
    this.name = name;
    this.altsetting = altsetting;
    this.endpoints = List.copyOf(endpoints);
  }

  /** interface_to_usbdev. */
  public UsbDevice device() {
    return device;
  }

  /** {@code 1-1:1.0}. */
  @Override
  public String name() {
    return name;
  }

  /** {@code intf->cur_altsetting}. */
  public Interface altsetting() {
    return altsetting;
  }

  public List<UsbHostEndpoint> endpoints() {
    return endpoints;
  }

  /** The modalias of this interface ({@code drivers/usb/core/sysfs.c}). */
  @Override
  public String modalias() {
    return UsbModalias.of(device.descriptor(), altsetting.desc());
  }

  /** usb_get_intfdata. */
  public Object intfdata() {
    return intfdata;
  }

  /** usb_set_intfdata. */
  public void intfdata(Object data) {
    intfdata = data;
  }

  public Owner owner() {
    return owner;
  }

  @Override
  public void owner(Owner o) {
    owner = o;
  }

  @Override
  public String toString() {
    return name;
  }
}
