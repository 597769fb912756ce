package dev.devemu.scenario;

import java.util.List;

/**
 * Several drivers from one plug-in, for sets that are variations of one driver (the bug zoo: one driver per known
 * defect). Listed in {@code META-INF/services/dev.devemu.scenario.DriverFamily}; each member is found by its name
 * exactly as a {@link DriverKind} listed on its own would be.
 */
public interface DriverFamily {
  List<DriverKind> drivers();
}
