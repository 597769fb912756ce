package dev.devemu.driver.api.pci;

import dev.devemu.driver.api.Fallible;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.pci.PciDeviceId;
import java.util.List;

/**
 * A PCI driver written with Rust's discipline ({@code impl PciDriver for …}): probe returns
 * {@code Result<Data>}, resources come from {@link SafePciDevice} as device-managed handles released in reverse
 * order after remove, BAR access is revocable.
 *
 * @param <D> the driver's per-device data, owned by the binding and dropped after remove
 */
public interface SafePciDriver<D> {
  String name();

  List<PciDeviceId> idTable();

  Fallible<D> probe(SafePciDevice pdev, PciDeviceId id);

  /** What remove does besides the automatic release of managed resources. */
  default Op<Void> remove(D data) {
    return Op.done();
  }
}
