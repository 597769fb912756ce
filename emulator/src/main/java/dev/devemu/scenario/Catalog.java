package dev.devemu.scenario;

import dev.devemu.device.chardev.ChardevKind;
import dev.devemu.device.pcie.SamplePcieKind;
import dev.devemu.driver.samples.chardev.MyCharKind;
import dev.devemu.device.camera.Ipu6IsysKind;
import dev.devemu.driver.samples.camera.Ipu6IsysDriverKind;
import dev.devemu.driver.samples.pcie.MyPcieKind;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every device type and driver a scenario can name. A new device model or sample driver adds one line here.
 */
public final class Catalog {
  private static final Map<String, DeviceKind> DEVICES = new TreeMap<>();
  private static final Map<String, DriverKind> DRIVERS = new TreeMap<>();

  static {
    device(new SamplePcieKind());
    device(new ChardevKind());
    driver(new MyPcieKind());
    driver(new MyCharKind());
    device(new Ipu6IsysKind());
    driver(new Ipu6IsysDriverKind());
  }

  private Catalog() {}

  private static void device(DeviceKind kind) {
    DEVICES.put(kind.type(), kind);
  }

  private static void driver(DriverKind kind) {
    DRIVERS.put(kind.name(), kind);
  }

  public static DeviceKind device(String type) {
    return DEVICES.get(type);
  }

  public static DriverKind driver(String name) {
    return DRIVERS.get(name);
  }

  public static Collection<DeviceKind> devices() {
    return Collections.unmodifiableCollection(DEVICES.values());
  }

  public static Collection<DriverKind> drivers() {
    return Collections.unmodifiableCollection(DRIVERS.values());
  }
}
