package dev.devemu.plugin.usb;

import dev.devemu.scenario.ScenarioNode;
import dev.devemu.spec.usb.UsbPort;
import dev.devemu.spec.usb.UsbSpeed;

/** The keys every USB device kind reads the same way: its port ({@code slot}) and its {@code speed}. */
public final class UsbDeviceKeys {
  private UsbDeviceKeys() {}

  /** {@code slot}: a root-hub port such as {@code "1-1"}; a bad one is an error naming the key. */
  public static UsbPort port(ScenarioNode node) {
    try {
      return UsbPort.parse(node.string("slot"));
    } catch (IllegalArgumentException e) {
      throw node.error("slot", e.getMessage());
    }
  }

  /**
   * {@code speed} (low, full, high, super, super-plus; {@code fallback} when absent) for a device whose endpoints
   * low speed cannot carry.
   *
   * @param endpoints what the device has, for the message ("bulk endpoints (USB 2.0 §5.8)")
   */
  public static UsbSpeed speedAboveLow(ScenarioNode node, String fallback, String endpoints) {
    UsbSpeed speed = UsbSpeed.parse(node.oneOf("speed", fallback, "full", "high", "super", "super-plus", "low"));
    if (speed == UsbSpeed.LOW) {
      throw node.error("speed", "a low-speed device cannot have " + endpoints + "; use full, high, super or super-plus");
    }
    return speed;
  }
}
