package dev.devemu.scenario;

import dev.devemu.testbed.TestbedBuilder;

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
}
