package dev.devemu.scenario;

import dev.devemu.testbed.TestbedBuilder;

/** A driver a scenario may load in {@code drivers = [ { name = …, variant = raw|safe } ]}. */
public interface DriverKind {
  String name();

  String description();

  /** Registers the driver of the given variant ({@code raw} or {@code safe}) with its bus. */
  void load(String variant, TestbedBuilder testbed);
}
