package dev.devemu.cli;

import dev.devemu.kernel.Sysfs;
import dev.devemu.scenario.Scenario;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.Runner;
import java.util.ArrayList;
import java.util.List;

/**
 * Boots a scenario's machine for a short virtual time — long enough for buses to enumerate and drivers to probe —
 * and reads what sysfs lists then: the view {@code lspci} and {@code modalias} print.
 */
final class MachineInspection {
  /** A machine listed at virtual time {@code atNanos}. */
  record Listing(List<Sysfs.Device> devices, long atNanos, int oopses) {}

  private MachineInspection() {}

  static Listing inspect(Scenario scenario, long seed, long atNanos) {
    Scenario booted = scenario.withDuration(Math.min(atNanos, scenario.durationNanos()));
    List<Sysfs.Device> devices = new ArrayList<>();
    Runner.Outcome o;
    try (SimHost host = SimHost.start("devemu-inspect", 1)) {
      o = Runner.run(host, 0, booted, seed, Runner.Options.defaults().withTrace(Runner.TraceMode.NONE),
          kernel -> {
            for (Sysfs.Device d : kernel.sysfs().devices()) {
              // read the live registers now, on the lane thread, while the machine still exists
              byte[] config = d.pciConfig() == null ? null : d.pciConfig().get();
              devices.add(new Sysfs.Device(d.bus(), d.id(), d.modalias(), config == null ? null : () -> config));
            }
          });
    }
    return new Listing(devices, o.result().virtualNanos(), o.result().oopses().size());
  }

  /** {@code 250ms}, {@code 1s}: a HOCON duration in nanoseconds. */
  static long duration(String text) {
    long nanos;
    // a unit is required: a bare number is not read as milliseconds without a word
    if (text == null || !text.trim().matches("[0-9.]+\\s*[a-zA-Z]+")) {
      throw new IllegalArgumentException("--at: not a positive duration with a unit (want e.g. 100ms or 2s): " + text);
    }
    try {
      nanos = com.typesafe.config.ConfigFactory.parseString("d = " + text).getDuration("d").toNanos();
    } catch (com.typesafe.config.ConfigException e) {
      throw new IllegalArgumentException("--at: not a duration (want e.g. 100ms or 2s): " + text);
    }
    if (nanos <= 0) throw new IllegalArgumentException("--at: must be after boot (more than 0), got " + text);
    return nanos;
  }
}
