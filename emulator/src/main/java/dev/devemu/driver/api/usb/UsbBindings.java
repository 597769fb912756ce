package dev.devemu.driver.api.usb;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.SafeBinding;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.Binding;
import dev.devemu.kernel.usb.UsbCore;
import dev.devemu.kernel.usb.UsbDeviceId;
import dev.devemu.kernel.usb.UsbDriverEntry;
import dev.devemu.kernel.usb.UsbInterface;
import dev.devemu.spec.usb.UsbDeviceState;
import dev.devemu.uapi.Errno;

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
    return new UsbDriverEntry(driver.name(), Variant.RAW, driver.idTable(), driver.softUnbind(), (intf, id, owner) ->
        new RawUsbBinding(Binding.of(owner, driver.name() + "_probe", driver.name() + "_disconnect",
            () -> driver.probe(intf, id), () -> driver.disconnect(intf)), intf, driver.softUnbind()));
  }

  /** The USB core around a raw driver's own probe and disconnect. */
  private record RawUsbBinding(Binding own, UsbInterface intf, boolean softUnbind) implements Binding {
    @Override
    public Owner owner() {
      return own.owner();
    }

    @Override
    public String probeFunction() {
      return own.probeFunction();
    }

    @Override
    public String removeFunction() {
      return own.removeFunction();
    }

    /** usb_probe_interface: a failed probe leaves no interface data behind. */
    @Override
    public Op<Integer> probe() {
      return Op.fn("usb_probe_interface", () -> own.probe()
          .then(rc -> rc == 0 ? Op.rc(0) : UsbCore.setIntfData(intf, null).map(v -> rc)));
    }

    /** usb_unbind_interface: URBs terminated (unless soft_unbind), disconnect, then the interface reset. */
    @Override
    public Op<Void> remove() {
      return Op.fn("usb_unbind_interface", () -> terminateUrbs(intf, softUnbind)
          .then(ignored -> own.remove())
          .then(ignored -> resetInterface(intf)));
    }
  }

  public static <D> UsbDriverEntry safe(SafeUsbDriver<D> driver) {
    return new UsbDriverEntry(driver.name(), Variant.SAFE, driver.idTable(), driver.softUnbind(),
        (intf, id, owner) -> new UsbBinding<>(driver, intf, id, owner));
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
  private static final class UsbBinding<D> extends SafeBinding<D> {
    private final SafeUsbDriver<D> driver;
    private final UsbInterface intf;
    private final UsbDeviceId id;
    private final SafeUsbInterface safe;

    UsbBinding(SafeUsbDriver<D> driver, UsbInterface intf, UsbDeviceId id, Owner owner) {
      super(owner, driver.name() + "_probe", driver.name() + "_disconnect");
      this.driver = driver;
      this.intf = intf;
      this.id = id;
      this.safe = new SafeUsbInterface(intf, devres, owner);
    }

    @Override
    protected Fallible<D> driverProbe() {
      return driver.probe(safe, id);
    }

    @Override
    protected Op<Void> driverRemove(D data) {
      return driver.disconnect(data).op().then(r -> r.isOk() ? Op.<Void>done() : Op.step("printk", x -> {
        x.kernel().printk(driver.name() + " " + intf.name() + ": disconnect returned " + Errno.describe(r.toRc()));
        return null;
      }));
    }

    @Override
    protected Op<Void> beforeRelease() {
      return safe.poisonAll();
    }

    /** usb_probe_interface: the interface data is the driver's, or cleared after a failed probe. */
    @Override
    public Op<Integer> probe() {
      return Op.fn("usb_probe_interface", () -> super.probe()
          .then(rc -> UsbCore.setIntfData(intf, rc == 0 ? data() : null).map(v -> rc)));
    }

    /** usb_unbind_interface: URBs terminated (unless soft_unbind), disconnect, then the interface reset. */
    @Override
    public Op<Void> remove() {
      return Op.fn("usb_unbind_interface", () -> terminateUrbs(intf, driver.softUnbind())
          .then(ignored -> super.remove())
          .then(ignored -> resetInterface(intf)));
    }
  }
}
