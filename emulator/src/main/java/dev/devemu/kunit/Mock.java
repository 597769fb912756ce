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
 * Mock.usb().speed("high")         // a USB 3 device on a USB 2 port
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
