package dev.devemu.driver.api.pci;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.SafeBinding;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.Binding;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.kernel.pci.PciDriverEntry;
import dev.devemu.kernel.pci.PciFunction;

/** Turns a raw or a safe PCI driver into what the bus loads: an ID table and a way to bind. */
public final class PciBindings {
  private PciBindings() {}

  public static PciDriverEntry raw(RawPciDriver driver) {
    return new PciDriverEntry(driver.name(), Variant.RAW, driver.idTable(), (fn, id, owner) -> Binding.of(owner,
        driver.name() + "_probe", driver.name() + "_remove", () -> driver.probe(fn, id), () -> driver.remove(fn)));
  }

  /**
   * A safe driver: on a failed probe or after remove, managed resources — the driver data included, allocated with
   * {@link SafePciDevice#kzalloc} — are released in reverse order.
   */
  public static <D> PciDriverEntry safe(SafePciDriver<D> driver) {
    return new PciDriverEntry(driver.name(), Variant.SAFE, driver.idTable(), (fn, id, owner) -> new PciBinding<>(driver,
        fn, id, owner));
  }

  private static final class PciBinding<D> extends SafeBinding<D> {
    private final SafePciDriver<D> driver;
    private final PciDeviceId id;
    private final SafePciDevice device;

    PciBinding(SafePciDriver<D> driver, PciFunction fn, PciDeviceId id, Owner owner) {
      super(owner, driver.name() + "_probe", driver.name() + "_remove");
      this.driver = driver;
      this.id = id;
      this.device = new SafePciDevice(fn, devres, owner);
    }

    @Override
    protected Fallible<D> driverProbe() {
      return driver.probe(device, id);
    }

    @Override
    protected Op<Void> driverRemove(D data) {
      return driver.remove(data);
    }
  }
}
