package dev.devemu.driver.samples.usb;

import dev.devemu.bus.usb.UsbDeviceId;
import dev.devemu.device.usb.BulkUsbDevice;
import dev.devemu.kernel.Errno;
import java.util.List;

/** What both variants of my_usb share: the ID table, endpoints, sizes and timeouts of the article's driver. */
final class MyUsb {
  static final String NAME = "my_usb";
  /** The article's USB_ID_TABLE: vendor 0xabcd, product 0x1234. */
  static final List<UsbDeviceId> ID_TABLE = List.of(UsbDeviceId.device(BulkUsbDevice.VENDOR, BulkUsbDevice.PRODUCT));
  static final int EP_IN = 0x81;
  static final int EP_OUT = 0x02;
  static final int TRANSFER = 4096;
  /** The article's disconnect waits {@code Duration::from_secs(5)}. */
  static final long DISCONNECT_TIMEOUT_NANOS = 5_000_000_000L;
  /** dev_err_ratelimited's burst: the first few errors are logged, the rest counted. */
  static final int ERROR_BURST = 10;

  private MyUsb() {}

  /** The statuses a cancelled URB completes with: killed, unlinked, or shut down with its endpoint. */
  static boolean cancelled(int status) {
    return status == -Errno.ENOENT || status == -Errno.ECONNRESET || status == -Errno.ESHUTDOWN;
  }

  static String hex(int v) {
    return Integer.toHexString(v);
  }
}
