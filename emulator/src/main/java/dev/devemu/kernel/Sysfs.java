package dev.devemu.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What {@code /sys/bus/*&#47;devices} would list: every device function or interface a bus has enumerated, with
 * its modalias and, for PCI, its live configuration space. Buses add an entry when they enumerate and remove it
 * when the device leaves; {@code devemu lspci} and {@code devemu modalias} read it after a short run.
 */
public final class Sysfs {
  /**
   * One enumerated device.
   *
   * @param bus {@code pci} or {@code usb}
   * @param id the sysfs name: {@code 0000:00:02.0} for PCI, {@code 1-1:1.0} for a USB interface
   * @param modalias the kernel's modalias string ({@code pci:v…}, {@code usb:v…})
   * @param pciConfig reads the 256-byte configuration space as it is now, or null for a non-PCI device
   */
  public record Device(String bus, String id, String modalias, Supplier<byte[]> pciConfig) {}

  /** By bus, then by id: keyed by the names the buses already hold, no key string per device. */
  private final TreeMap<String, TreeMap<String, Device>> devices = new TreeMap<>();

  public void add(Device d) {
    devices.computeIfAbsent(d.bus(), b -> new TreeMap<>()).put(d.id(), d);
  }

  public void remove(String bus, String id) {
    TreeMap<String, Device> onBus = devices.get(bus);
    if (onBus != null) onBus.remove(id);
  }

  /** Every device, by bus and then by name. */
  public List<Device> devices() {
    List<Device> out = new ArrayList<>();
    for (TreeMap<String, Device> onBus : devices.values()) out.addAll(onBus.values());
    return out;
  }
}
