package dev.devemu.scenario;

/** A kind of device a scenario may name in {@code devices = [ { type = … } ]}. */
public interface DeviceKind {
  String type();

  /** One line for {@code docs/scenarios.md} and error messages. */
  String description();

  /** Reads the device's keys (the node has already consumed {@code type}); rejects unknown ones. */
  DeviceSpec parse(ScenarioNode node, int line);
}
