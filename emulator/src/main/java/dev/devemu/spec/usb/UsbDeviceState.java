package dev.devemu.spec.usb;

/** {@code enum usb_device_state} ({@code include/uapi/linux/usb/ch9.h}), in Linux's order: comparisons matter. */
public enum UsbDeviceState {
  NOTATTACHED, ATTACHED, POWERED, RECONNECTING, UNAUTHENTICATED, DEFAULT, ADDRESS, CONFIGURED, SUSPENDED;

  public boolean below(UsbDeviceState other) {
    return ordinal() < other.ordinal();
  }
}
