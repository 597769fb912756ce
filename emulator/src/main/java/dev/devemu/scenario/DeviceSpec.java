package dev.devemu.scenario;

import dev.devemu.fault.Moments;
import dev.devemu.kernel.driver.BindableDevice;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** One device of a scenario's topology, parsed and validated; it knows how to put itself into a testbed. */
public interface DeviceSpec {
  /** The {@code type} key, e.g. {@code sample-pcie}. */
  String type();

  /** Where it sits: a PCI address ({@code 0000:00:02.0}) or a USB port ({@code usb1-1}). */
  String slot();

  /** Line in the scenario file, for errors found when the topology is assembled. */
  int line();

  /**
   * Whether a fault plan may apply {@code action} to this device (a software device has no link to bring down);
   * the loader rejects the others with file:line.
   */
  default boolean supports(FaultPlan.Action action) {
    return true;
  }

  /** Creates the device's actors and registers it with its bus. */
  void install(TestbedBuilder testbed);

  /**
   * The device as its bus's enumeration will present it to drivers — a PCI function with its configuration space,
   * the interfaces of a USB device, a platform device's name — built from the device model itself, so that the
   * loader matches drivers' ID tables against what the hardware really reports.
   */
  List<BindableDevice> enumerated();

  /**
   * The life-cycle moments a fault plan may wait for on this device ({@code when = …}). Every bound device has
   * probe, bind and remove, and raises interrupts; a device model that starts DMA, carries URBs or backs a char
   * device adds those moments here (and signals them through {@code kernel.moments()}), otherwise a scenario that
   * waits for them is rejected as impossible.
   */
  default Set<Moments.Moment> moments() {
    return EnumSet.of(Moments.Moment.DURING_PROBE, Moments.Moment.AFTER_BIND, Moments.Moment.DURING_REMOVE,
        Moments.Moment.WITH_IRQ_PENDING);
  }

  /**
   * A USB device's model and port for use outside a testbed ({@code devemu usbip} exports it to real hosts), or
   * null for a device that is not on USB. Each call builds a new model in its power-on state.
   */
  default UsbModel usbModel() {
    return null;
  }

  /** A USB device model in its port; {@code present} is whether it is plugged in at start. */
  record UsbModel(dev.devemu.spec.usb.UsbPort port, dev.devemu.hw.usb.UsbDeviceModel model, boolean present) {}

  /** What every device spec has besides its behaviour: its type, its slot and its line in the scenario. */
  abstract class Placed implements DeviceSpec {
    private final String type;
    private final String slot;
    private final int line;

    protected Placed(String type, String slot, int line) {
      this.type = type;
      this.slot = slot;
      this.line = line;
    }

    @Override
    public final String type() {
      return type;
    }

    @Override
    public final String slot() {
      return slot;
    }

    @Override
    public final int line() {
      return line;
    }
  }
}
