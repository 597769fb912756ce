package dev.devemu.driver.api.pci;

import dev.devemu.bus.pci.PciDeviceId;
import dev.devemu.bus.pci.PciDriverEntry;
import dev.devemu.bus.pci.PciFunction;
import dev.devemu.driver.api.Devres;
import dev.devemu.driver.api.KResult;
import dev.devemu.driver.core.Binding;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;

/** Turns a raw or a safe PCI driver into what the bus loads: an ID table and a way to bind. */
public final class PciBindings {
  private PciBindings() {}

  public static PciDriverEntry raw(RawPciDriver driver) {
    return new PciDriverEntry(driver.name(), "raw", driver.idTable(), (fn, id, owner) -> new Binding() {
      @Override
      public Owner owner() {
        return owner;
      }

      @Override
      public String probeFunction() {
        return (driver.name() + "_probe").intern();
      }

      @Override
      public String removeFunction() {
        return (driver.name() + "_remove").intern();
      }

      @Override
      public Op<Integer> probe() {
        return Op.fn(probeFunction(), () -> driver.probe(fn, id));
      }

      @Override
      public Op<Void> remove() {
        return Op.fn(removeFunction(), () -> driver.remove(fn));
      }
    });
  }

  public static <D> PciDriverEntry safe(SafePciDriver<D> driver) {
    return new PciDriverEntry(driver.name(), "safe", driver.idTable(), (fn, id, owner) -> new SafeBinding<>(driver, fn, id, owner));
  }

  /**
   * The driver core for a safe driver: on a failed probe or after remove, managed resources — the driver data
   * included, allocated with {@link SafePciDevice#kzalloc} — are released in reverse order.
   */
  private static final class SafeBinding<D> implements Binding {
    private final SafePciDriver<D> driver;
    private final PciDeviceId id;
    private final Owner owner;
    private final Devres devres = new Devres();
    private final SafePciDevice device;
    private D data;

    SafeBinding(SafePciDriver<D> driver, PciFunction fn, PciDeviceId id, Owner owner) {
      this.driver = driver;
      this.id = id;
      this.owner = owner;
      this.device = new SafePciDevice(fn, devres, owner);
    }

    @Override
    public Owner owner() {
      return owner;
    }

    @Override
    public String probeFunction() {
      return (driver.name() + "_probe").intern();
    }

    @Override
    public String removeFunction() {
      return (driver.name() + "_remove").intern();
    }

    @Override
    public Op<Integer> probe() {
      return Op.fn(probeFunction(), () -> driver.probe(device, id).op().then(r -> {
        if (r instanceof KResult.Ok<D> ok) {
          data = ok.value();
          return Op.rc(0);
        }
        int errno = ((KResult.Err<D>) r).errno();
        return devres.releaseAll().map(ignored -> -errno);
      }));
    }

    @Override
    public Op<Void> remove() {
      return Op.fn(removeFunction(), () -> driver.remove(data))
          .then(ignored -> devres.releaseAll())
          .map(ignored -> {
            data = null;
            return null;
          });
    }
  }

}
