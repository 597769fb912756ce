package dev.devemu.scenario;

/** A kind of device a scenario may name in {@code devices = [ { type = … } ]}. */
public interface DeviceKind {
  String type();

  /** One line for {@code docs/scenarios.md} and error messages. */
  String description();

  /**
   * Reads the device's keys (the node has already consumed {@code type}) and returns the device: a
   * {@link DeviceSpec.Placed} whose {@code enumerated()} says what the bus will see and whose {@code install} puts the
   * model on its bus. Keys this method did not read are rejected by the loader afterwards, naming file and line.
   */
  DeviceSpec parse(ScenarioNode node, int line);
}
