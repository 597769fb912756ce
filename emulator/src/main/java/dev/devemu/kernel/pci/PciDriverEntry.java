package dev.devemu.kernel.pci;

import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.Binding;
import dev.devemu.kernel.driver.DriverEntry;
import java.util.List;

/**
 * A loaded PCI driver as the bus sees it ({@code struct pci_driver}): its name, variant, ID table, and how to
 * bind it to a function that matched.
 */
public record PciDriverEntry(String name, Variant variant, List<PciDeviceId> idTable, Binder binder)
    implements DriverEntry<PciFunction, PciDeviceId> {
  /** Builds the binding for one matched function. */
  public interface Binder {
    Binding bind(PciFunction function, PciDeviceId matched, Owner owner);
  }

  /** pci_match_id: the first entry of the table that matches ({@code pci_match_one_device}), or null. */
  @Override
  public PciDeviceId match(PciFunction function) {
    for (PciDeviceId id : idTable) {
      if (id.isTerminator()) break;
      if (function.matches(id)) return id;
    }
    return null;
  }

  /** new_id: dynamic IDs {@code PCI_DEVICE(vendor, device)}, matched before the static table (pci_match_device). */
  @Override
  public PciDriverEntry withNewIds(List<int[]> ids) {
    List<PciDeviceId> table = new java.util.ArrayList<>();
    for (int[] id : ids) table.add(PciDeviceId.of(id[0], id[1]));
    table.addAll(idTable);
    return new PciDriverEntry(name, variant, List.copyOf(table), binder);
  }

  @Override
  public Binding bind(PciFunction function, PciDeviceId matched, Owner owner) {
    return binder.bind(function, matched, owner);
  }

  @Override
  public Class<PciFunction> deviceType() {
    return PciFunction.class;
  }
}
