package dev.devemu.driver.api.pci;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.kernel.pci.PciFunction;
import java.util.List;

/**
 * A PCI driver written with C habits ({@code struct pci_driver}): probe returns an int that nobody forces it to
 * compute correctly, and it calls {@link dev.devemu.kernel.pci.PciCore} directly — return codes can be ignored,
 * NULL can be dereferenced, teardown order is up to the author.
 */
public interface RawPciDriver {
  String name();

  List<PciDeviceId> idTable();

  /** @return 0 or -errno */
  Op<Integer> probe(PciFunction pdev, PciDeviceId id);

  Op<Void> remove(PciFunction pdev);
}
