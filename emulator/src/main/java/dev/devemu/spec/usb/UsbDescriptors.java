package dev.devemu.spec.usb;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Standard USB descriptors, byte-exact as {@code include/uapi/linux/usb/ch9.h} and the USB 3.2 specification
 * (chapter 9) lay them out: little-endian, {@code bLength} and {@code bDescriptorType} first. Each record builds
 * its bytes and parses them back, so the device serves exactly what the kernel side parses.
 */
public final class UsbDescriptors {
  public static final int DT_DEVICE = 0x01;
  public static final int DT_CONFIG = 0x02;
  public static final int DT_STRING = 0x03;
  public static final int DT_INTERFACE = 0x04;
  public static final int DT_ENDPOINT = 0x05;
  public static final int DT_BOS = 0x0f;
  public static final int DT_DEVICE_CAPABILITY = 0x10;
  public static final int DT_SS_ENDPOINT_COMP = 0x30;

  public static final int DT_DEVICE_SIZE = 18;
  public static final int DT_CONFIG_SIZE = 9;
  public static final int DT_INTERFACE_SIZE = 9;
  public static final int DT_ENDPOINT_SIZE = 7;
  public static final int DT_SS_EP_COMP_SIZE = 6;
  public static final int DT_BOS_SIZE = 5;
  public static final int DT_USB_EXT_CAP_SIZE = 7;
  public static final int DT_USB_SS_CAP_SIZE = 10;

  public static final int CAP_TYPE_EXT = 0x02;
  public static final int SS_CAP_TYPE = 0x03;
  public static final int SSP_CAP_TYPE = 0x0a;

  public static final int CLASS_PER_INTERFACE = 0x00;
  public static final int CLASS_VENDOR_SPEC = 0xff;

  public static final int ENDPOINT_XFER_CONTROL = 0;
  public static final int ENDPOINT_XFER_ISOC = 1;
  public static final int ENDPOINT_XFER_BULK = 2;
  public static final int ENDPOINT_XFER_INT = 3;
  public static final int ENDPOINT_DIR_IN = 0x80;

  /** Configuration bmAttributes: bit 7 is reserved and must be set (USB_CONFIG_ATT_ONE). */
  public static final int CONFIG_ATT_ONE = 0x80;

  private UsbDescriptors() {}

  /** {@code struct usb_device_descriptor} (18 bytes). */
  public record DeviceDescriptor(int bcdUsb, int deviceClass, int deviceSubClass, int deviceProtocol,
      int maxPacketSize0, int idVendor, int idProduct, int bcdDevice, int iManufacturer, int iProduct,
      int iSerialNumber, int numConfigurations) {

    public byte[] toBytes() {
      Bytes b = new Bytes();
      b.u8(DT_DEVICE_SIZE).u8(DT_DEVICE).u16(bcdUsb).u8(deviceClass).u8(deviceSubClass).u8(deviceProtocol)
          .u8(maxPacketSize0).u16(idVendor).u16(idProduct).u16(bcdDevice).u8(iManufacturer).u8(iProduct)
          .u8(iSerialNumber).u8(numConfigurations);
      return b.bytes();
    }

    public static DeviceDescriptor parse(byte[] d) {
      if (d.length < DT_DEVICE_SIZE || (d[0] & 0xff) < DT_DEVICE_SIZE || (d[1] & 0xff) != DT_DEVICE) {
        throw new IllegalArgumentException("not a device descriptor (" + d.length + " bytes)");
      }
      return new DeviceDescriptor(u16(d, 2), u8(d, 4), u8(d, 5), u8(d, 6), u8(d, 7), u16(d, 8), u16(d, 10),
          u16(d, 12), u8(d, 14), u8(d, 15), u8(d, 16), u8(d, 17));
    }
  }

  /** {@code struct usb_config_descriptor} (9 bytes); {@code totalLength} covers everything that follows it. */
  public record ConfigDescriptor(int totalLength, int numInterfaces, int configurationValue, int iConfiguration,
      int attributes, int maxPower) {
    void write(Bytes b) {
      b.u8(DT_CONFIG_SIZE).u8(DT_CONFIG).u16(totalLength).u8(numInterfaces).u8(configurationValue)
          .u8(iConfiguration).u8(attributes).u8(maxPower);
    }

    public static ConfigDescriptor parse(byte[] d, int at) {
      if (d.length < at + DT_CONFIG_SIZE || (d[at + 1] & 0xff) != DT_CONFIG) {
        throw new IllegalArgumentException("not a configuration descriptor");
      }
      return new ConfigDescriptor(u16(d, at + 2), u8(d, at + 4), u8(d, at + 5), u8(d, at + 6), u8(d, at + 7),
          u8(d, at + 8));
    }
  }

  /** {@code struct usb_interface_descriptor} (9 bytes). */
  public record InterfaceDescriptor(int number, int alternateSetting, int numEndpoints, int interfaceClass,
      int interfaceSubClass, int interfaceProtocol, int iInterface) {
    void write(Bytes b) {
      b.u8(DT_INTERFACE_SIZE).u8(DT_INTERFACE).u8(number).u8(alternateSetting).u8(numEndpoints)
          .u8(interfaceClass).u8(interfaceSubClass).u8(interfaceProtocol).u8(iInterface);
    }

    static InterfaceDescriptor parse(byte[] d, int at) {
      return new InterfaceDescriptor(u8(d, at + 2), u8(d, at + 3), u8(d, at + 4), u8(d, at + 5), u8(d, at + 6),
          u8(d, at + 7), u8(d, at + 8));
    }
  }

  /** {@code struct usb_endpoint_descriptor} (7 bytes, the audio variant's two extra bytes are not used). */
  public record EndpointDescriptor(int address, int attributes, int maxPacketSize, int interval) {
    void write(Bytes b) {
      b.u8(DT_ENDPOINT_SIZE).u8(DT_ENDPOINT).u8(address).u8(attributes).u16(maxPacketSize).u8(interval);
    }

    static EndpointDescriptor parse(byte[] d, int at) {
      return new EndpointDescriptor(u8(d, at + 2), u8(d, at + 3), u16(d, at + 4), u8(d, at + 6));
    }

    /** {@code usb_endpoint_type()}. */
    public int type() {
      return attributes & 0x3;
    }

    public boolean in() {
      return (address & ENDPOINT_DIR_IN) != 0;
    }

    /** {@code usb_endpoint_num()}. */
    public int number() {
      return address & 0x0f;
    }

    /** {@code usb_endpoint_maxp()}: bits 10:0 of wMaxPacketSize. */
    public int maxp() {
      return maxPacketSize & 0x7ff;
    }
  }

  /** {@code struct usb_ss_ep_comp_descriptor} (6 bytes): follows each endpoint of a SuperSpeed configuration. */
  public record SsEndpointCompanion(int maxBurst, int attributes, int bytesPerInterval) {
    void write(Bytes b) {
      b.u8(DT_SS_EP_COMP_SIZE).u8(DT_SS_ENDPOINT_COMP).u8(maxBurst).u8(attributes).u16(bytesPerInterval);
    }

    static SsEndpointCompanion parse(byte[] d, int at) {
      return new SsEndpointCompanion(u8(d, at + 2), u8(d, at + 3), u16(d, at + 4));
    }
  }

  /** An endpoint with its SuperSpeed companion (null below SuperSpeed). */
  public record Endpoint(EndpointDescriptor desc, SsEndpointCompanion companion) {}

  /** An interface (alternate setting) with its endpoints. */
  public record Interface(InterfaceDescriptor desc, List<Endpoint> endpoints) {
    public Interface {
      endpoints = List.copyOf(endpoints);
    }
  }

  /** A whole configuration, as GET_DESCRIPTOR(CONFIG, wTotalLength) returns it. */
  public record Configuration(ConfigDescriptor desc, List<Interface> interfaces) {
    public Configuration {
      interfaces = List.copyOf(interfaces);
    }

    /** Builds the bytes, computing wTotalLength and bNumInterfaces from the content. */
    public static Configuration of(int configurationValue, int attributes, int maxPower, List<Interface> interfaces) {
      int total = DT_CONFIG_SIZE;
      for (Interface i : interfaces) {
        total += DT_INTERFACE_SIZE;
        for (Endpoint e : i.endpoints()) total += DT_ENDPOINT_SIZE + (e.companion() == null ? 0 : DT_SS_EP_COMP_SIZE);
      }
      // bNumInterfaces counts interfaces, not their alternate settings
      int numInterfaces = (int) interfaces.stream().map(i -> i.desc().number()).distinct().count();
      return new Configuration(new ConfigDescriptor(total, numInterfaces, configurationValue, 0, attributes,
          maxPower), interfaces);
    }

    public byte[] toBytes() {
      Bytes b = new Bytes();
      desc.write(b);
      for (Interface i : interfaces) {
        i.desc().write(b);
        for (Endpoint e : i.endpoints()) {
          e.desc().write(b);
          if (e.companion() != null) e.companion().write(b);
        }
      }
      return b.bytes();
    }

    /**
     * Parses a full configuration the way {@code usb_parse_configuration} walks it: descriptor by descriptor,
     * by bLength, skipping types it does not know; an endpoint's companion must follow it directly.
     */
    public static Configuration parse(byte[] d) {
      ConfigDescriptor cfg = ConfigDescriptor.parse(d, 0);
      int end = Math.min(d.length, cfg.totalLength());
      List<Interface> interfaces = new ArrayList<>();
      InterfaceDescriptor current = null;
      List<Endpoint> endpoints = new ArrayList<>();
      EndpointDescriptor pending = null;
      int at = u8(d, 0);
      while (at + 2 <= end) {
        int len = u8(d, at);
        int type = u8(d, at + 1);
        if (len < 2 || at + len > end) throw new IllegalArgumentException("bad descriptor length " + len + " at " + at);
        if (type == DT_SS_ENDPOINT_COMP && pending != null && len >= DT_SS_EP_COMP_SIZE) {
          endpoints.add(new Endpoint(pending, SsEndpointCompanion.parse(d, at)));
          pending = null;
        } else {
          if (pending != null) endpoints.add(new Endpoint(pending, null));
          pending = null;
          if (type == DT_INTERFACE && len >= DT_INTERFACE_SIZE) {
            if (current != null) interfaces.add(new Interface(current, endpoints));
            current = InterfaceDescriptor.parse(d, at);
            endpoints = new ArrayList<>();
          } else if (type == DT_ENDPOINT && len >= DT_ENDPOINT_SIZE && current != null) {
            pending = EndpointDescriptor.parse(d, at);
          }
        }
        at += len;
      }
      if (pending != null) endpoints.add(new Endpoint(pending, null));
      if (current != null) interfaces.add(new Interface(current, endpoints));
      return new Configuration(cfg, interfaces);
    }
  }

  /**
   * A Binary Object Store for a USB 3.2 device: the USB 2.0 extension (LPM), the SuperSpeed USB capability and,
   * for a SuperSpeedPlus device, the SuperSpeedPlus capability with one symmetric Gen 2x1 sublink speed
   * (10 Gb/s, SSID 0, RX and TX attributes).
   */
  public static byte[] bos(boolean superSpeedPlus) {
    Bytes caps = new Bytes();
    // struct usb_ext_cap_descriptor: bmAttributes USB_LPM_SUPPORT
    caps.u8(DT_USB_EXT_CAP_SIZE).u8(DT_DEVICE_CAPABILITY).u8(CAP_TYPE_EXT).u32(0x00000002);
    // struct usb_ss_cap_descriptor: full/high/5 Gb/s supported, full functionality from full speed
    caps.u8(DT_USB_SS_CAP_SIZE).u8(DT_DEVICE_CAPABILITY).u8(SS_CAP_TYPE).u8(0x00).u16(0x000e).u8(0x01).u8(0x0a)
        .u16(0x0020);
    int count = 2;
    if (superSpeedPlus) {
      // struct usb_ssp_cap_descriptor: SSAC = 1 (two attributes), SSIC = 0 (one speed ID)
      int attrs = 2;
      caps.u8(12 + attrs * 4).u8(DT_DEVICE_CAPABILITY).u8(SSP_CAP_TYPE).u8(0).u32(attrs - 1)
          .u16(0x1100).u16(0)
          // SSID 0, LSE 3 (Gb/s), ST 0 symmetric RX / 2 symmetric TX, LP 1 (SuperSpeedPlus), LSM 10
          .u32(0x000a4030).u32(0x000a40b0);
      count++;
    }
    byte[] body = caps.bytes();
    Bytes b = new Bytes();
    b.u8(DT_BOS_SIZE).u8(DT_BOS).u16(DT_BOS_SIZE + body.length).u8(count);
    b.raw(body);
    return b.bytes();
  }

  /** Device capability types listed in a BOS, in order. */
  public static List<Integer> bosCapabilities(byte[] d) {
    if (d.length < DT_BOS_SIZE || u8(d, 1) != DT_BOS) throw new IllegalArgumentException("not a BOS descriptor");
    List<Integer> out = new ArrayList<>();
    int end = Math.min(d.length, u16(d, 2));
    int at = u8(d, 0);
    while (at + 3 <= end) {
      int len = u8(d, at);
      if (len < 3) break;
      if (u8(d, at + 1) == DT_DEVICE_CAPABILITY) out.add(u8(d, at + 2));
      at += len;
    }
    return out;
  }

  static int u8(byte[] d, int at) {
    return d[at] & 0xff;
  }

  public static int u16(byte[] d, int at) {
    return (d[at] & 0xff) | (d[at + 1] & 0xff) << 8;
  }

  /** A little-endian byte builder. */
  static final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    Bytes u8(int v) {
      out.write(v & 0xff);
      return this;
    }

    Bytes u16(int v) {
      return u8(v).u8(v >>> 8);
    }

    Bytes u32(int v) {
      return u16(v).u16(v >>> 16);
    }

    Bytes raw(byte[] b) {
      out.write(b, 0, b.length);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
