package dev.devemu.driver.api.platform;

import dev.devemu.bus.platform.PlatformDevice;
import dev.devemu.bus.platform.PlatformDriverEntry;
import dev.devemu.driver.api.Devres;
import dev.devemu.driver.api.KResult;
import dev.devemu.driver.core.Binding;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;

/** Turns a raw or a safe platform driver into what the platform bus loads. */
public final class PlatformBindings {
  private PlatformBindings() {}

  public static PlatformDriverEntry raw(RawPlatformDriver driver) {
    return new PlatformDriverEntry(driver.name(), "raw", (pdev, owner) -> new Binding() {
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
        return Op.fn(probeFunction(), () -> driver.probe(pdev));
      }

      @Override
      public Op<Void> remove() {
        return Op.fn(removeFunction(), () -> driver.remove(pdev));
      }
    });
  }

  public static <D> PlatformDriverEntry safe(SafePlatformDriver<D> driver) {
    return new PlatformDriverEntry(driver.name(), "safe", (pdev, owner) -> new SafeBinding<>(driver, pdev, owner));
  }

  /** The driver core for a safe driver: managed resources are released in reverse order after remove. */
  private static final class SafeBinding<D> implements Binding {
    private final SafePlatformDriver<D> driver;
    private final Owner owner;
    private final Devres devres = new Devres();
    private final SafePlatformDevice device;
    private D data;

    SafeBinding(SafePlatformDriver<D> driver, PlatformDevice pdev, Owner owner) {
      this.driver = driver;
      this.owner = owner;
      this.device = new SafePlatformDevice(pdev, devres);
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
      return Op.fn(probeFunction(), () -> driver.probe(device).op().then(r -> {
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
