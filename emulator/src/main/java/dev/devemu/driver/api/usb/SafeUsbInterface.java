package dev.devemu.driver.api.usb;

import dev.devemu.driver.api.Devres;
import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.driver.api.Mem;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.kernel.usb.UsbCore;
import dev.devemu.kernel.usb.UsbDevice;
import dev.devemu.kernel.usb.UsbHostEndpoint;
import dev.devemu.kernel.usb.UsbInterface;
import dev.devemu.kernel.usb.UsbPipe;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import java.util.ArrayList;
import java.util.List;

/**
 * The safe flavour's view of a USB interface ({@code usb::Interface}): memory and URBs it hands out are
 * device-managed. URBs are also anchored: at disconnect (and after a failed probe) the binding poisons every one
 * of them, newest first, before devres frees anything in reverse order.
 */
public final class SafeUsbInterface {
  private final UsbInterface intf;
  private final Devres devres;
  private final Owner owner;
  private final List<SafeUrb> anchor = new ArrayList<>();

  SafeUsbInterface(UsbInterface intf, Devres devres, Owner owner) {
    this.intf = intf;
    this.devres = devres;
    this.owner = owner;
  }

  public String name() {
    return intf.name();
  }

  public Owner owner() {
    return owner;
  }

  /** The speed the device runs at (cached at enumeration). */
  public UsbSpeed speed() {
    return intf.device().speed();
  }

  public int vendorId() {
    return intf.device().descriptor().idVendor();
  }

  public int productId() {
    return intf.device().descriptor().idProduct();
  }

  public Devres devres() {
    return devres;
  }

  /** devm_kzalloc: lives as long as the binding. */
  public <S extends KStruct> Fallible<S> kzalloc(S struct) {
    return Mem.kboxNew(struct).map(s -> {
      devres.add("kfree(" + s.typeName() + ")", () -> Mem.kfree(s));
      return s;
    });
  }

  /**
   * A bulk URB for endpoint {@code endpoint} of this interface with a {@code size}-byte buffer: Err(EINVAL) if
   * the interface has no such bulk endpoint, Err(ENOMEM) if either allocation fails. Freed by devres.
   */
  public Fallible<SafeUrb> allocBulkUrb(int endpoint, int size) {
    UsbHostEndpoint ep = null;
    for (UsbHostEndpoint e : intf.endpoints()) {
      if (e.desc().address() == endpoint && e.desc().type() == UsbDescriptors.ENDPOINT_XFER_BULK) ep = e;
    }
    if (ep == null || size <= 0) return Fallible.err(Errno.EINVAL);
    boolean in = ep.desc().in();
    UsbDevice dev = intf.device();
    int pipe = in ? UsbPipe.rcvBulk(dev, ep.desc().number()) : UsbPipe.sndBulk(dev, ep.desc().number());
    SafeUrb[] handle = new SafeUrb[1];
    return Fallible.of(UsbCore.allocUrb().map(urb -> urb.isNull() ? KResult.<dev.devemu.kernel.usb.Urb>err(Errno.ENOMEM)
            : KResult.ok(urb)))
        .andThen(urb -> {
          devres.add("usb_free_urb", () -> Op.defer(() -> {
            if (handle[0] != null) handle[0].markReleased();
            return UsbCore.freeUrb(urb);
          }));
          return Fallible.of(Mem.kmalloc(size, "urb buffer").map(buf -> buf == null ? KResult.<SafeUrb>err(Errno.ENOMEM)
              : KResult.ok(handle[0] = new SafeUrb(urb, buf, size, in, endpoint))));
        })
        .andThen(u -> {
          devres.add("kfree(urb buffer)", () -> Op.defer(() -> {
            u.markReleased();
            return Mem.kfree(u.buffer());
          }));
          anchor.add(u);
          return Fallible.lift(Op.step("usb_fill_bulk_urb", x -> {
            var m = KernelMemory.of(x.kernel());
            m.writeOnce(x, u.urb().dev, dev);
            m.writeOnce(x, u.urb().pipe, pipe);
            m.writeOnce(x, u.urb().transferBuffer, u.buffer());
            m.writeOnce(x, u.urb().transferBufferLength, size);
            return u;
          }));
        });
  }

  /** Kills every anchored URB, newest first, leaving each poisoned (no resubmission can sneak in). */
  Op<Void> poisonAll() {
    return Op.defer(() -> {
      List<SafeUrb> reversed = new ArrayList<>(anchor);
      java.util.Collections.reverse(reversed);
      return Op.forEach(reversed, SafeUrb::poison);
    });
  }
}
