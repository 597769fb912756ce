package dev.devemu.scenario;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;

/**
 * What a bug scenario promises: {@code scenario.expect-detectors}, the detectors that a run of its raw drivers
 * should trigger. Tests and {@code explore} check a found report against it; the safe variant under the same
 * seeds should trigger nothing.
 */
public final class Expectations {
  /** Every detector name an {@link dev.devemu.kernel.Oops} can carry. */
  public static final List<String> DETECTORS = List.of("kasan", "null-deref", "bad-mmio", "lockdep", "atomic-sleep",
      "hung-task", "soft-lockup", "kcsan", "leak", "warn", "bug", "iommu");

  private Expectations() {}

  /** Validates the key while the loader reads the {@code scenario} block. */
  static List<String> read(ScenarioNode meta) {
    List<String> detectors = meta.strings("expect-detectors");
    for (String d : detectors) {
      if (!DETECTORS.contains(d)) {
        throw meta.error("expect-detectors", "unknown detector \"" + d + "\" (known: " + String.join(", ", DETECTORS) + ")");
      }
    }
    return detectors;
  }

  /** The detectors a scenario expects its raw drivers to trigger; empty if it says nothing. */
  public static List<String> detectors(Scenario scenario) {
    Config c = ConfigFactory.parseString(scenario.source()).resolve();
    return c.hasPath("scenario.expect-detectors") ? c.getStringList("scenario.expect-detectors") : List.of();
  }
}
