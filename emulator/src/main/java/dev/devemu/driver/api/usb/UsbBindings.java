package dev.devemu.driver.api.usb;

import dev.devemu.bus.usb.UsbCore;
import dev.devemu.bus.usb.UsbDeviceId;
import dev.devemu.bus.usb.UsbDeviceState;
import dev.devemu.bus.usb.UsbDriverEntry;
import dev.devemu.bus.usb.UsbInterface;
import dev.devemu.driver.api.Devres;
import dev.devemu.driver.api.KResult;
import dev.devemu.driver.core.Binding;
import dev.devemu.kernel.Errno;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;

/**
 * Turns a raw or a safe USB driver into what the bus loads. Both get the USB core's side of binding as
 * {@code drivers/usb/core/driver.c} does it: usb_probe_interface clears the interface data after a failed probe;
 * usb_unbind_interface first disables the interface's endpoints and flushes their URBs (-ESHUTDOWN) unless the
 * driver has soft_unbind and the device is still attached, then calls disconnect, then re-enables the endpoints
 * and clears the interface data.
 */
public final class UsbBindings {
  private UsbBindings() {}

  public static UsbDriverEntry raw(RawUsbDriver driver) {
    return new UsbDriverEntry(driver.name(), "raw", driver.idTable(), driver.softUnbind(),
        (intf, id, owner) -> new Binding() {
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
            return (driver.name() + "_disconnect").intern();
          }

          @Override
          public Op<Integer> probe() {
            return Op.fn("usb_probe_interface", () -> Op.fn(probeFunction(), () -> driver.probe(intf, id))
                .then(rc -> rc == 0 ? Op.rc(0) : UsbCore.setIntfData(intf, null).map(v -> rc)));
          }

          @Override
          public Op<Void> remove() {
            return Op.fn("usb_unbind_interface", () -> terminateUrbs(intf, driver.softUnbind())
                .then(ignored -> Op.fn(removeFunction(), () -> driver.disconnect(intf)))
                .then(ignored -> resetInterface(intf)));
          }
        });
  }

  public static <D> UsbDriverEntry safe(SafeUsbDriver<D> driver) {
    return new UsbDriverEntry(driver.name(), "safe", driver.idTable(), driver.softUnbind(),
        (intf, id, owner) -> new SafeBinding<>(driver, intf, id, owner));
  }

  /** Terminate all URBs for this interface unless the driver supports soft unbinding and the device is present. */
  static Op<Void> terminateUrbs(UsbInterface intf, boolean softUnbind) {
    return Op.defer(() -> !softUnbind || intf.device().state() == UsbDeviceState.NOTATTACHED
        ? UsbCore.disableInterface(intf) : Op.<Void>done());
  }

  static Op<Void> resetInterface(UsbInterface intf) {
    return UsbCore.enableInterface(intf).then(UsbCore.setIntfData(intf, null));
  }

  /**
   * The driver core for a safe driver: after a failed probe, and after disconnect, every URB the driver got is
   * poisoned (newest first) and only then are managed resources — URBs, buffers, the driver's data — released in
   * reverse order. A completion handler therefore never runs after the data it uses is gone.
   */
  private static final class SafeBinding<D> implements Binding {
    private final SafeUsbDriver<D> driver;
    private final UsbInterface intf;
    private final UsbDeviceId id;
    private final Owner owner;
    private final Devres devres = new Devres();
    private final SafeUsbInterface safe;
    private D data;

    SafeBinding(SafeUsbDriver<D> driver, UsbInterface intf, UsbDeviceId id, Owner owner) {
      this.driver = driver;
      this.intf = intf;
      this.id = id;
      this.owner = owner;
      this.safe = new SafeUsbInterface(intf, devres, owner);
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
      return (driver.name() + "_disconnect").intern();
    }

    @Override
    public Op<Integer> probe() {
      return Op.fn("usb_probe_interface", () -> Op.fn(probeFunction(), () -> driver.probe(safe, id).op())
          .then(r -> {
            if (r instanceof KResult.Ok<D> ok) {
              data = ok.value();
              return UsbCore.setIntfData(intf, data).map(v -> 0);
            }
            int errno = ((KResult.Err<D>) r).errno();
            return safe.poisonAll().then(devres.releaseAll()).then(UsbCore.setIntfData(intf, null))
                .map(ignored -> -errno);
          }));
    }

    @Override
    public Op<Void> remove() {
      return Op.fn("usb_unbind_interface", () -> terminateUrbs(intf, driver.softUnbind())
          .then(ignored -> Op.fn(removeFunction(), () -> driver.disconnect(data).op()))
          .then(r -> r.isOk() ? Op.<Void>done() : Op.step("printk", x -> {
            x.kernel().printk(driver.name() + " " + intf.name() + ": disconnect returned "
                + Errno.describe(r.toRc()));
            return null;
          }))
          .then(ignored -> safe.poisonAll())
          .then(ignored -> devres.releaseAll())
          .then(ignored -> resetInterface(intf))
          .map(ignored -> {
            data = null;
            return null;
          }));
    }
  }
}
