package dev.devemu.kernel.pci;

import dev.devemu.hw.pci.PciConfigSpace;

/**
 * Configuration spaces in the text format of {@code lspci -D -n -xxx}, which {@code lspci -F FILE} (pciutils'
 * dump access method, {@code lib/dump.c}) reads back: a header line starting with the address, then the 256
 * bytes as lines of {@code "xx: "} followed by sixteen hex bytes, then an empty line.
 */
public final class LspciDump {
  private LspciDump() {}

  /** One function's block, e.g. {@code 0000:00:02.0 ff00: 1234:5678 (rev 02)} and its bytes. */
  public static String format(String address, byte[] config) {
    if (config.length != PciConfigSpace.SIZE) {
      throw new IllegalArgumentException(address + ": config space must be 256 bytes, got " + config.length);
    }
    StringBuilder sb = new StringBuilder();
    int cls = u16(config, PciConfigSpace.CLASS_DEVICE);
    int progIf = config[PciConfigSpace.CLASS_PROG] & 0xff;
    sb.append(address).append(' ').append(String.format("%04x: %04x:%04x", cls, u16(config, PciConfigSpace.VENDOR_ID),
        u16(config, PciConfigSpace.DEVICE_ID)));
    int rev = config[PciConfigSpace.REVISION_ID] & 0xff;
    if (rev != 0) sb.append(String.format(" (rev %02x)", rev));
    if (progIf != 0) sb.append(String.format(" (prog-if %02x)", progIf));
    sb.append('\n');
    for (int row = 0; row < config.length; row += 16) {
      sb.append(String.format("%02x:", row));
      for (int i = 0; i < 16; i++) sb.append(String.format(" %02x", config[row + i] & 0xff));
      sb.append('\n');
    }
    return sb.append('\n').toString();
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
  }
}
