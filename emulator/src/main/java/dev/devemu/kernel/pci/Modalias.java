package dev.devemu.kernel.pci;

/** Modalias strings in the kernel's format ({@code drivers/pci/pci-sysfs.c}: modalias_show). */
public final class Modalias {
  private Modalias() {}

  /** {@code pci:v00001234d00005678sv00001AF4sd00001100bc04sc80i00}. */
  public static String pci(int vendor, int device, int subvendor, int subdevice, int classCode) {
    return String.format("pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X", vendor, device, subvendor, subdevice,
        (classCode >>> 16) & 0xff, (classCode >>> 8) & 0xff, classCode & 0xff);
  }
}
