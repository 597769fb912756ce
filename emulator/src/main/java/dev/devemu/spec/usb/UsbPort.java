package dev.devemu.spec.usb;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A root-hub port, named as Linux names the device plugged into it: {@code 1-1} is bus 1, port 1 (the same string
 * as in {@code dmesg} and {@code /sys/bus/usb/devices}). The emulated host controller has one root hub, bus 1,
 * for every speed (a real xHCI registers a USB 2 and a USB 3 root hub as two buses).
 */
public record UsbPort(int bus, int port) implements Comparable<UsbPort> {
  /** Root-hub ports of the emulated controller. */
  public static final int PORTS = 15;
  private static final Pattern FORMAT = Pattern.compile("(\\d+)-(\\d+)");

  public UsbPort {
    if (bus != 1) throw new IllegalArgumentException("only USB bus 1 exists, got bus " + bus);
    if (port < 1 || port > PORTS) {
      throw new IllegalArgumentException("root-hub port must be 1.." + PORTS + ", got " + port);
    }
  }

  /** Parses {@code 1-3}; throws IllegalArgumentException with a reason otherwise. */
  public static UsbPort parse(String text) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) throw new IllegalArgumentException("not a USB port (want bus-port, e.g. 1-1): " + text);
    try {
      return new UsbPort(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a USB port (want bus-port, e.g. 1-1): " + text);
    }
  }

  /** True if {@code text} has the shape of a USB port name (it may still be out of range). */
  public static boolean looksLike(String text) {
    return FORMAT.matcher(text.trim()).matches();
  }

  /** {@code 1-1:1.0}: interface {@code number} of configuration {@code config} of the device on this port. */
  public String interfaceName(int config, int number) {
    return this + ":" + config + "." + number;
  }

  @Override
  public String toString() {
    return bus + "-" + port;
  }

  @Override
  public int compareTo(UsbPort o) {
    int c = Integer.compare(bus, o.bus);
    return c != 0 ? c : Integer.compare(port, o.port);
  }
}
