package dev.devemu.scenario;

/**
 * A bus a testbed may have (PCI, USB, the platform bus): a plug-in, found through
 * {@code META-INF/services/dev.devemu.scenario.BusKind}. Each testbed gets one {@link TestbedBus} of every kind;
 * device and driver plug-ins find it with {@link TestbedBuilder#bus(Class)}.
 */
public interface BusKind {
  /** A short name for messages ({@code pci}). */
  String name();

  /**
   * Where this bus starts among the others, lowest first. The start order decides the order of the buses' first
   * messages, so it is part of what a seed means: a new bus takes a number no other bus has.
   */
  int order();

  /** The bus of one testbed under construction; it spawns nothing until {@link TestbedBus#start}. */
  TestbedBus create(TestbedBuilder testbed);
}
