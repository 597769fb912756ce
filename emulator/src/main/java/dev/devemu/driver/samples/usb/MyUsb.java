package dev.devemu.driver.samples.usb;

import dev.devemu.datasheet.BulkUsbDatasheet;
import dev.devemu.kernel.usb.UsbDeviceId;
import dev.devemu.uapi.Errno;
import java.util.List;

/**
 * What both variants of my_usb share: the ID table, endpoints, sizes and timeouts of the article's driver — and one
 * design flaw. On a STALL (-EPIPE) of the IN endpoint the IN completion handler calls usb_clear_halt() itself and
 * resubmits. usb_clear_halt is a synchronous control transfer (it allocates, submits and sleeps in
 * wait_for_completion_timeout) and a completion handler runs in interrupt context, so the kernel reports "BUG:
 * sleeping function called from invalid context" (on a real machine: scheduling while atomic). The halt must be
 * cleared from process context — a work item, as usbnet does for EVENT_RX_HALT. The mistake recurs in USB drivers'
 * error paths, which are rarely exercised: only a STALL (fault point {@code usb_stall}) gets there.
 */
final class MyUsb {
  static final String NAME = "my_usb";
  /** The article's USB_ID_TABLE: vendor 0xabcd, product 0x1234. */
  static final List<UsbDeviceId> ID_TABLE = List.of(UsbDeviceId.device(BulkUsbDatasheet.VENDOR, BulkUsbDatasheet.PRODUCT));
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
