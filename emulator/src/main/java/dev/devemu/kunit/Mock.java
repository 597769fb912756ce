package dev.devemu.kunit;

/**
 * Mock devices in one line, for {@link MockBed#device(Mock)}: each is the scenario entry of a device model
 * configured the way a test needs it (the models and their keys are in {@code docs/scenarios.md}).
 *
 * <pre>{@code
 * Mock.pci().revision(0x01)        // my_pcie must refuse it with -ENODEV
 * Mock.pci().noBar0()              // BAR0 not implemented: no resource to map
 * Mock.pci().bar0Size(64)          // BAR0 smaller than the register map
 * Mock.pci().noMsi()               // no MSI capability: legacy INTx only
 * Mock.pci().ids(0x8086, 0x1234)   // the same card under other IDs (bind it with MockBed.newId)
 * Mock.usb().speed("high")         // a USB 3 device on a USB 2 port
 * Mock.usb().in("short:100", "transaction-error", "stall", "silent")   // the IN endpoint's first four answers
 * Mock.chardev("my_char")          // the platform device my_char binds to
 * Mock.ipu6().fps(120)             // the IPU6 ISYS camera
 * }</pre>
 */
public abstract class Mock {
  private final String type;
  private final String slot;
  private final StringBuilder keys = new StringBuilder();

  Mock(String type, String slot) {
    this.type = type;
    this.slot = slot;
  }

  /** The sample PCIe endpoint (1234:5678, {@code type = sample-pcie}) in slot 0000:00:02.0. */
  public static Pci pci() {
    return new Pci("0000:00:02.0");
  }

  /** The bulk USB device (abcd:1234, {@code type = usb-bulk}) on port 1-1. */
  public static Usb usb() {
    return new Usb("1-1");
  }

  /** A platform device for a char-device module ({@code type = chardev}). */
  public static Chardev chardev(String name) {
    return new Chardev(name);
  }

  /** The IPU6 input system (8086:9a19, {@code type = ipu6-isys}) in slot 0000:00:05.0. */
  public static Ipu6 ipu6() {
    return new Ipu6("0000:00:05.0");
  }

  /** Its slot, as fault plans name it. */
  public String slot() {
    return slot;
  }

  /** Any other key of the device's type, as a scenario would write it ({@code key("present", "false")}). */
  @SuppressWarnings("unchecked")
  public <M extends Mock> M key(String name, Object value) {
    keys.append(", ").append(name).append(" = ").append(value);
    return (M) this;
  }

  String entry() {
    String where = type.equals("chardev") ? "name = " + slot : "slot = \"" + slot + "\"";
    return "{ type = " + type + ", " + where + keys + " }";
  }

  @Override
  public String toString() {
    return entry();
  }

  /** The sample PCIe endpoint. */
  public static final class Pci extends Mock {
    Pci(String slot) {
      super("sample-pcie", slot);
    }

    public Pci revision(int revision) {
      return key("revision", revision);
    }

    /** Samples (MSI interrupts) per second while the driver has it enabled. */
    public Pci interruptRate(double perSecond) {
      return key("interrupt-rate", perSecond);
    }

    /** BAR0 not implemented: the function has no memory resource at all. */
    public Pci noBar0() {
      return key("bar0-size", 0);
    }

    /** BAR0 of {@code bytes} (a power of two >= 16): smaller than the datasheet's register map is "too small". */
    public Pci bar0Size(long bytes) {
      return key("bar0-size", bytes);
    }

    /** No MSI capability in configuration space. */
    public Pci noMsi() {
      return key("msi", false);
    }

    /** Not in the slot at boot (a {@code plug} event brings it). */
    public Pci absent() {
      return key("present", false);
    }

    /**
     * Vendor and device ID in configuration space (the datasheet's 1234:5678 by default). A driver whose ID table
     * does not list them binds only through {@link MockBed#newId}, as through {@code new_id} in sysfs.
     */
    public Pci ids(int vendor, int device) {
      return key("vendor-id", vendor).key("device-id", device);
    }
  }

  /** The bulk USB device (one bulk IN and one bulk OUT endpoint, as its datasheet has them). */
  public static final class Usb extends Mock {
    Usb(String port) {
      super("usb-bulk", port);
    }

    /** {@code full}, {@code high}, {@code super} or {@code super-plus}. */
    public Usb speed(String speed) {
      return key("speed", speed);
    }

    /** Bytes per second the bulk IN endpoint produces. */
    public Usb dataRate(double bytesPerSecond) {
      return key("data-rate", bytesPerSecond);
    }

    /** Bytes per second the bulk OUT endpoint consumes (0: as fast as the link). */
    public Usb outRate(double bytesPerSecond) {
      return key("out-rate", bytesPerSecond);
    }

    /** idVendor and idProduct of the device descriptor (abcd:1234 by default); see {@link MockBed#newId}. */
    public Usb ids(int vendor, int product) {
      return key("vendor-id", vendor).key("product-id", product);
    }

    /**
     * How the bulk IN endpoint (0x81) answers its first transfers, one step per transfer, then as usual:
     * {@code "data"} (a full transfer), {@code "short:N"} (N bytes), {@code "stall"} (-EPIPE; the endpoint stays
     * halted until usb_clear_halt), {@code "babble"} (-EOVERFLOW), {@code "transaction-error"} (-EPROTO: no
     * handshake, a bad CRC — what an xHCI reports for any other error), {@code "silent"} (no answer: the URB stays
     * in flight until it is cancelled).
     */
    public Usb in(String... steps) {
      return key("in-script", script(steps));
    }

    /** The same for the bulk OUT endpoint (0x02). */
    public Usb out(String... steps) {
      return key("out-script", script(steps));
    }

    private static String script(String... steps) {
      StringBuilder sb = new StringBuilder("[");
      for (String s : steps) sb.append(sb.length() == 1 ? "" : ", ").append('"').append(s.replace("\"", "")).append('"');
      return sb.append(']').toString();
    }
  }

  /** A platform device named after the char-device module that binds to it. */
  public static final class Chardev extends Mock {
    Chardev(String name) {
      super("chardev", name);
    }
  }

  /** The IPU6 ISYS camera. */
  public static final class Ipu6 extends Mock {
    Ipu6(String slot) {
      super("ipu6-isys", slot);
    }

    public Ipu6 fps(double fps) {
      return key("fps", fps);
    }
  }
}
