package dev.devemu.driver.api;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.driver.Binding;

/**
 * The driver core's side of a safe binding, the same for every bus: probe returns the driver's data or an error;
 * after a failed probe, and after remove, the device-managed resources are released in reverse order — the driver
 * writes no cleanup code and cannot get the order wrong. A bus adds what its core does around that
 * ({@link #beforeRelease}: USB poisons the driver's URBs first).
 *
 * @param <D> the driver's per-device data, owned by the binding and dropped after remove
 */
public abstract class SafeBinding<D> implements Binding {
  private final Owner owner;
  private final String probeFunction;
  private final String removeFunction;
  protected final Devres devres = new Devres();
  private D data;

  protected SafeBinding(Owner owner, String probeFunction, String removeFunction) {
    this.owner = owner;
    this.probeFunction = probeFunction.intern(); // shared by every binding of the driver
    this.removeFunction = removeFunction.intern();
  }

  /** The driver's probe. */
  protected abstract Fallible<D> driverProbe();

  /** The driver's remove (or disconnect), given the data its probe returned. */
  protected abstract Op<Void> driverRemove(D data);

  /** What the bus core does before managed resources go, after a failed probe and after remove. */
  protected Op<Void> beforeRelease() {
    return Op.done();
  }

  /** The data of a successful probe, until remove. */
  protected final D data() {
    return data;
  }

  @Override
  public final Owner owner() {
    return owner;
  }

  @Override
  public final String probeFunction() {
    return probeFunction;
  }

  @Override
  public final String removeFunction() {
    return removeFunction;
  }

  /** 0 with the data kept, or -errno once everything the probe acquired is released. */
  @Override
  public Op<Integer> probe() {
    return Op.fn(probeFunction, () -> driverProbe().op()).then(r -> {
      if (r instanceof KResult.Ok<D> ok) {
        data = ok.value();
        return Op.rc(0);
      }
      int errno = ((KResult.Err<D>) r).errno();
      return beforeRelease().then(devres.releaseAll()).map(ignored -> -errno);
    });
  }

  @Override
  public Op<Void> remove() {
    return Op.fn(removeFunction, () -> driverRemove(data))
        .then(ignored -> beforeRelease())
        .then(ignored -> devres.releaseAll())
        .map(ignored -> {
          data = null;
          return null;
        });
  }
}
