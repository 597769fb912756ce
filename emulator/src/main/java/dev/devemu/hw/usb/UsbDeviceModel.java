package dev.devemu.hw.usb;

import dev.devemu.spec.usb.UsbDescriptors.Configuration;
import dev.devemu.spec.usb.UsbDescriptors.DeviceDescriptor;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbSpeed;

/**
 * The behaviour of one USB device apart from the bus glue (QEMU's {@code USBDeviceClass} contract): its
 * descriptors at the speed it runs at, and what its data endpoints do. {@link UsbDeviceActor} hosts it, answers
 * the standard control requests of chapter 9 from the descriptors, keeps the halt features, and turns messages
 * into these calls.
 */
public interface UsbDeviceModel {
  /** A short name for logs, e.g. {@code usb-bulk device}. */
  String name();

  /** The speed the link trains to. */
  UsbSpeed speed();

  DeviceDescriptor deviceDescriptor();

  /** The one configuration, at {@link #speed()}. */
  Configuration configuration();

  /** The BOS descriptor, or null for a device without one (bcdUSB below 0x0201). */
  byte[] bos();

  /**
   * A transfer on a data endpoint of a configured device; answer with {@link UsbDeviceContext#complete} now or
   * later (a bulk IN endpoint NAKs until it has data).
   *
   * @param endpoint the endpoint address, e.g. {@code 0x81}
   */
  void onTransfer(long seq, int endpoint, int length, UsbDeviceContext dev);

  /**
   * As {@link #onTransfer(long, int, int, UsbDeviceContext)}, with the bytes of an OUT transfer when the host
   * sent them ({@code null} when it only counts lengths, as devemu's own drivers do). Models that do not look at
   * OUT data need not override it.
   */
  default void onTransfer(long seq, int endpoint, int length, byte[] outData, UsbDeviceContext dev) {
    onTransfer(seq, endpoint, length, dev);
  }

  /** The host dropped a transfer the model had not answered yet. */
  default void onCancelled(long seq, UsbDeviceContext dev) {}

  /** SET_CONFIGURATION: {@code value} 0 means unconfigured. */
  default void onConfigured(int value, UsbDeviceContext dev) {}

  /** CLEAR_FEATURE(ENDPOINT_HALT) on {@code endpoint}. */
  default void onHaltCleared(int endpoint, UsbDeviceContext dev) {}

  default void onTimer(Object token, UsbDeviceContext dev) {}

  /** The device was pulled out: pending work stops. */
  default void onRemoved(UsbDeviceContext dev) {}

  /** The device was plugged in again: back to its power-on state. */
  default void onReset(UsbDeviceContext dev) {}
}
