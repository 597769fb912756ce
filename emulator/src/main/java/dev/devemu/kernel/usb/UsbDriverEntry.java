package dev.devemu.kernel.usb;

import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.Binding;
import dev.devemu.kernel.driver.DriverEntry;
import java.util.List;

/**
 * A loaded USB interface driver as the bus sees it ({@code struct usb_driver}): name, variant, ID table,
 * {@code soft_unbind}, and how to bind it to an interface that matched.
 *
 * @param softUnbind the driver cancels its own URBs at disconnect; the core then leaves them alone while the
 *     device is still attached (usb-storage and greybus's es2 set it)
 */
public record UsbDriverEntry(String name, Variant variant, List<UsbDeviceId> idTable, boolean softUnbind,
    Binder binder) implements DriverEntry<UsbInterface, UsbDeviceId> {
  /** Builds the binding for one matched interface. */
  public interface Binder {
    Binding bind(UsbInterface intf, UsbDeviceId matched, Owner owner);
  }

  /** usb_match_id against the interface's current altsetting. */
  @Override
  public UsbDeviceId match(UsbInterface intf) {
    return UsbDeviceId.matchId(intf.device().descriptor(), intf.altsetting().desc(), idTable);
  }

  /** new_id: dynamic IDs {@code USB_DEVICE(vendor, product)}, matched before the static table (usb_match_dynamic_id). */
  @Override
  public UsbDriverEntry withNewIds(List<int[]> ids) {
    List<UsbDeviceId> table = new java.util.ArrayList<>();
    for (int[] id : ids) table.add(UsbDeviceId.device(id[0], id[1]));
    table.addAll(idTable);
    return new UsbDriverEntry(name, variant, List.copyOf(table), softUnbind, binder);
  }

  @Override
  public Binding bind(UsbInterface intf, UsbDeviceId matched, Owner owner) {
    return binder.bind(intf, matched, owner);
  }

  @Override
  public Class<UsbInterface> deviceType() {
    return UsbInterface.class;
  }
}
