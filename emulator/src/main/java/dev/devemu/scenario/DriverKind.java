package dev.devemu.scenario;


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

  /** Registers the driver of the given variant ({@code raw} or {@code safe}) with its bus. */
  void load(String variant, TestbedBuilder testbed);

  /**
   * Whether this driver's ID table can match {@code device}. A scenario that loads a driver no device of it can
   * match is rejected (the driver would never be bound, and a campaign would measure nothing for it). The default
   * says yes, for drivers that do not know; every sample driver should answer.
   */
  default boolean matches(DeviceSpec device) {
    return true;
  }
}
