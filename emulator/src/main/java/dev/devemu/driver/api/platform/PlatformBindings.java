package dev.devemu.driver.api.platform;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.SafeBinding;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.Binding;
import dev.devemu.kernel.platform.PlatformDevice;
import dev.devemu.kernel.platform.PlatformDriverEntry;

/** Turns a raw or a safe platform driver into what the platform bus loads. */
public final class PlatformBindings {
  private PlatformBindings() {}

  public static PlatformDriverEntry raw(RawPlatformDriver driver) {
    return new PlatformDriverEntry(driver.name(), Variant.RAW, (pdev, owner) -> Binding.of(owner, driver.name() + "_probe",
        driver.name() + "_remove", () -> driver.probe(pdev), () -> driver.remove(pdev)));
  }

  /** A safe driver: managed resources are released in reverse order after a failed probe or after remove. */
  public static <D> PlatformDriverEntry safe(SafePlatformDriver<D> driver) {
    return new PlatformDriverEntry(driver.name(), Variant.SAFE, (pdev, owner) -> new PlatformBinding<>(driver, pdev, owner));
  }

  private static final class PlatformBinding<D> extends SafeBinding<D> {
    private final SafePlatformDriver<D> driver;
    private final SafePlatformDevice device;

    PlatformBinding(SafePlatformDriver<D> driver, PlatformDevice pdev, Owner owner) {
      super(owner, driver.name() + "_probe", driver.name() + "_remove");
      this.driver = driver;
      this.device = new SafePlatformDevice(pdev, devres);
    }

    @Override
    protected Fallible<D> driverProbe() {
      return driver.probe(device);
    }

    @Override
    protected Op<Void> driverRemove(D data) {
      return driver.remove(data);
    }
  }
}
