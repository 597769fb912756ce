package dev.devemu.scenario;

import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.DriverEntry;

/** A driver a scenario may load in {@code drivers = [ { name = …, variant = raw|safe } ]}. */
public interface DriverKind {
  String name();

  String description();

  /**
   * The ioctl commands the driver's device nodes understand, by the names its header gives them
   * ({@code GET_VERSION → _IOR('E', 0xd0, 4)}), so that workloads can name them. Empty for drivers without nodes.
   */
  default java.util.Map<String, Integer> ioctls() {
    return java.util.Map.of();
  }

  /**
   * The driver of the given variant as its bus registers it: name, ID table, the bus's matching rule, and the
   * binding that runs its probe and remove. The testbed hands it to the bus whose devices it is for; the loader
   * matches its ID table against the scenario's devices, and rejects a driver that nothing can bind (it would
   * measure nothing).
   */
  DriverEntry<?, ?> entry(Variant variant);
}
