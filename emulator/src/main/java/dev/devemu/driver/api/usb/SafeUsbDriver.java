package dev.devemu.driver.api.usb;

import dev.devemu.driver.api.Fallible;
import dev.devemu.kernel.usb.UsbDeviceId;
import java.util.List;

/**
 * A USB driver written with Rust's discipline ({@code impl UsbDriver for …}): probe returns {@code Result<Data>};
 * URBs and memory come from {@link SafeUsbInterface} as owned, device-managed handles — at disconnect every URB
 * is killed (poisoned) before anything is freed, then everything is released in reverse order.
 *
 * @param <D> the driver's per-interface data
 */
public interface SafeUsbDriver<D> {
  String name();

  List<UsbDeviceId> idTable();

  default boolean softUnbind() {
    return false;
  }

  Fallible<D> probe(SafeUsbInterface intf, UsbDeviceId id);

  /** What disconnect does before the automatic kill and release; an Err is logged (disconnect cannot fail). */
  default Fallible<Void> disconnect(D data) {
    return Fallible.ok(null);
  }
}
