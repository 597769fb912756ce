package dev.devemu.kernel.usb;

import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Op;
import dev.devemu.spec.usb.UsbDescriptors.Configuration;
import dev.devemu.spec.usb.UsbDescriptors.DeviceDescriptor;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbDeviceState;
import dev.devemu.spec.usb.UsbSetup;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import java.util.ArrayList;
import java.util.List;

/**
 * The hub driver's code that runs in hub_wq ({@code drivers/usb/core/hub.c}, {@code message.c}): enumerating a
 * new device — slot, address, descriptors, configuration, all through control transfers to the device — and
 * tearing one down after its drivers are gone. Runs as core kernel code (owner {@code kernel}).
 */
final class UsbHub {
  private UsbHub() {}

  /** hub_port_connect → hub_port_init → usb_new_device → usb_set_configuration; 0 or -errno. */
  static Op<Integer> enumerate(UsbDevice udev) {
    UsbHcd hcd = udev.hcd();
    Kernel k = hcd.kernel();
    return Op.fn("hub_port_connect", () -> hcd.enableSlot(udev)
        .then(rc -> rc < 0 ? Op.rc(rc) : hcd.addressDevice(udev).map(r -> {
          if (r < 0) k.printk("usb " + udev.name() + ": device not accepting address, error " + r);
          return r;
        }))
        .then(rc -> rc < 0 ? Op.rc(rc) : Op.step("hub_port_init", x -> {
          k.printk("usb " + udev.name() + ": new " + speedText(udev.speed()) + " USB device number " + udev.devnum()
              + " using xhci_hcd");
          return 0;
        }))
        .then(rc -> rc < 0 ? Op.rc(rc) : readDeviceDescriptor(udev))
        .then(rc -> rc < 0 ? Op.rc(rc) : readBos(udev))
        .then(rc -> rc < 0 ? Op.rc(rc) : readConfiguration(udev))
        .then(rc -> rc < 0 ? Op.rc(rc) : Op.step("announce_device", x -> {
          DeviceDescriptor d = udev.descriptor();
          k.printk(String.format("usb %s: New USB device found, idVendor=%04x, idProduct=%04x, bcdDevice=%2x.%02x",
              udev.name(), d.idVendor(), d.idProduct(), d.bcdDevice() >> 8, d.bcdDevice() & 0xff));
          k.printk(String.format("usb %s: New USB device strings: Mfr=%d, Product=%d, SerialNumber=%d", udev.name(),
              d.iManufacturer(), d.iProduct(), d.iSerialNumber()));
          return 0;
        }))
        .then(rc -> rc < 0 ? Op.rc(rc) : setConfiguration(udev))
        .then(rc -> rc < 0 ? hcd.disableSlot(udev).map(v -> rc) : Op.rc(rc)));
  }

  /** hub_port_init's dev_info: SuperSpeed Plus devices name their generation and lane count. */
  static String speedText(UsbSpeed s) {
    return switch (s) {
      case SUPER_PLUS -> "SuperSpeed Plus Gen 2x1";
      case SUPER -> "SuperSpeed";
      default -> s.linuxName();
    };
  }

  private static Op<UsbCore.ControlResult> get(UsbDevice udev, int type, int length) {
    return UsbCore.controlMsg(udev, UsbSetup.getDescriptor(type, 0, length), null, UsbHcd.CTRL_TIMEOUT_NANOS);
  }

  private static Op<Integer> readDeviceDescriptor(UsbDevice udev) {
    return Op.fn("usb_get_device_descriptor", () -> get(udev, UsbDescriptors.DT_DEVICE, UsbDescriptors.DT_DEVICE_SIZE)
        .then(r -> Op.step("usb_get_device_descriptor", x -> {
          int rc = r.rc();
          if (rc >= 0 && rc < UsbDescriptors.DT_DEVICE_SIZE) rc = -Errno.EMSGSIZE;
          if (rc < 0) {
            x.kernel().printk("usb " + udev.name() + ": device descriptor read/all, error " + rc);
            return rc;
          }
          udev.descriptor(DeviceDescriptor.parse(r.data()));
          return 0;
        })));
  }

  /** usb_get_bos_descriptor, for devices of bcdUSB 0x0201 and later; a device without one is still usable. */
  private static Op<Integer> readBos(UsbDevice udev) {
    if (udev.descriptor().bcdUsb() < 0x0201) return Op.rc(0);
    return Op.fn("usb_get_bos_descriptor", () -> get(udev, UsbDescriptors.DT_BOS, UsbDescriptors.DT_BOS_SIZE)
        .then(head -> {
          if (head.rc() < UsbDescriptors.DT_BOS_SIZE) return Op.rc(0);
          int total = UsbDescriptors.u16(head.data(), 2);
          return get(udev, UsbDescriptors.DT_BOS, total).map(full -> {
            if (full.rc() == total) udev.bos(full.data());
            return 0;
          });
        }));
  }

  /** usb_get_configuration: the 9-byte header for wTotalLength, then the whole configuration. */
  private static Op<Integer> readConfiguration(UsbDevice udev) {
    Kernel k = udev.hcd().kernel();
    return Op.fn("usb_get_configuration", () -> get(udev, UsbDescriptors.DT_CONFIG, UsbDescriptors.DT_CONFIG_SIZE)
        .then(head -> {
          if (head.rc() < UsbDescriptors.DT_CONFIG_SIZE) {
            int rc = head.rc() < 0 ? head.rc() : -Errno.EINVAL;
            k.printk("usb " + udev.name() + ": unable to read config index 0 descriptor/start: " + rc);
            return Op.rc(rc);
          }
          int total = UsbDescriptors.u16(head.data(), 2);
          return get(udev, UsbDescriptors.DT_CONFIG, total).then(full -> Op.step("usb_parse_configuration", x -> {
            if (full.rc() < total) {
              int rc = full.rc() < 0 ? full.rc() : -Errno.EINVAL;
              k.printk("usb " + udev.name() + ": unable to read config index 0 descriptor/all");
              return rc;
            }
            udev.pendingConfig(Configuration.parse(full.data()));
            return 0;
          }));
        }));
  }

  /** usb_set_configuration: endpoint contexts first (bandwidth), then SET_CONFIGURATION, then the interfaces. */
  private static Op<Integer> setConfiguration(UsbDevice udev) {
    Configuration cfg = udev.pendingConfig();
    int value = cfg.desc().configurationValue();
    Kernel k = udev.hcd().kernel();
    return Op.fn("usb_set_configuration", () -> udev.hcd().configureEndpoints(udev, cfg)
        .then(rc -> rc < 0 ? Op.rc(rc) : UsbCore.controlMsg(udev, UsbSetup.setConfiguration(value), null,
            UsbHcd.CTRL_TIMEOUT_NANOS).map(UsbCore.ControlResult::rc))
        .then(rc -> Op.step("usb_set_configuration", x -> {
          if (rc < 0) {
            k.printk("usb " + udev.name() + ": can't set config #" + value + ", error " + rc);
            return rc;
          }
          udev.actconfig(cfg);
          udev.state(UsbDeviceState.CONFIGURED);
          for (UsbDescriptors.Interface alt : cfg.interfaces()) {
            if (alt.desc().alternateSetting() != 0) continue;
            List<UsbHostEndpoint> eps = new ArrayList<>();
            for (UsbDescriptors.Endpoint e : alt.endpoints()) {
              UsbHostEndpoint ep = new UsbHostEndpoint(e.desc(), e.companion());
              (e.desc().in() ? udev.epIn : udev.epOut)[e.desc().number()] = ep;
              ep.enabled(true);
              eps.add(ep);
            }
            udev.addInterface(new UsbInterface(udev, udev.port().interfaceName(value, alt.desc().number()), alt, eps));
          }
          return 0;
        })));
  }

  /**
   * The tail of usb_disconnect once drivers are unbound: usb_disable_device stops and flushes every endpoint
   * (what is still queued completes with -ESHUTDOWN), then the xHCI slot is disabled.
   */
  static Op<Void> disableDevice(UsbDevice udev) {
    UsbHcd hcd = udev.hcd();
    return Op.fn("usb_disable_device", () -> Op.forEach(udev.endpoints(), ep -> Op.step("usb_disable_endpoint", x -> {
      ep.enabled(false);
      return null;
    }).then(ignored -> hcd.flushEndpoint(ep))).then(ignored -> hcd.disableSlot(udev)));
  }
}
