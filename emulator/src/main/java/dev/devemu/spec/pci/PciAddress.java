package dev.devemu.spec.pci;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PCI function's address: domain:bus:device.function, printed as {@code 0000:00:02.0}. */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {
  private static final Pattern FORMAT =
      Pattern.compile("(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\\.([0-7])");

  public PciAddress {
    if (domain < 0 || domain > 0xffff || bus < 0 || bus > 0xff || device < 0 || device > 0x1f || function < 0
        || function > 7) {
      throw new IllegalArgumentException("invalid PCI address " + domain + ":" + bus + ":" + device + "." + function);
    }
  }

  public static PciAddress parse(String text) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) throw new IllegalArgumentException("not a PCI address (want 0000:00:02.0): " + text);
    int domain = m.group(1) == null ? 0 : Integer.parseInt(m.group(1), 16);
    return new PciAddress(domain, Integer.parseInt(m.group(2), 16), Integer.parseInt(m.group(3), 16),
        Integer.parseInt(m.group(4)));
  }

  /** {@code 00:02.0}, as lspci prints it. */
  public String shortName() {
    StringBuilder sb = new StringBuilder(7);
    hex(sb, bus, 2).append(':');
    return hex(sb, device, 2).append('.').append(function).toString();
  }

  // Built by hand: String.format here showed up as the top cost of every MMIO access in the profile.
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(12);
    hex(sb, domain, 4).append(':');
    hex(sb, bus, 2).append(':');
    return hex(sb, device, 2).append('.').append(function).toString();
  }

  private static StringBuilder hex(StringBuilder sb, int value, int digits) {
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) sb.append(Character.forDigit((value >>> shift) & 0xf, 16));
    return sb;
  }

  @Override
  public int compareTo(PciAddress o) {
    int c = Integer.compare(domain, o.domain);
    if (c == 0) c = Integer.compare(bus, o.bus);
    if (c == 0) c = Integer.compare(device, o.device);
    return c != 0 ? c : Integer.compare(function, o.function);
  }
}
