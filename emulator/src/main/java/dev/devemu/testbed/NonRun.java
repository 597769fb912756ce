package dev.devemu.testbed;

import dev.devemu.scenario.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A run that tested nothing: a driver of the scenario never bound to any device (its probe failed on every
 * device it matched, or it matched none), and no bug was reported. Such a run is neither clean nor exposure; every
 * command that runs scenarios (run, explore, campaigns, kunit) reports it as this, with exit code 4
 * ({@code cli.ExitCodes.NOT_BOUND}).
 *
 * @param drivers the drivers that never bound, e.g. {@code [my_pcie]}
 * @param probeFailures why, as the kernel logs it: {@code my_pcie: probe of 0000:01:00.0 failed with error -22
 *     (EINVAL)}; empty if a driver matched no device at all
 */
public record NonRun(List<String> drivers, List<String> probeFailures) {
  /** The run outcome of a non-run, next to {@code completed}, {@code panic}, {@code livelock}. */
  public static final String OUTCOME = "not-bound";

  /** The non-run in {@code r}, if it is one: a run with a report tested something, whatever bound. */
  public static Optional<NonRun> of(Scenario scenario, RunResult r) {
    return of(scenario.drivers().stream().map(Scenario.DriverSpec::name).distinct().toList(), r);
  }

  /** Like {@link #of(Scenario, RunResult)} with the scenario's driver names. */
  public static Optional<NonRun> of(List<String> driverNames, RunResult r) {
    if (r.bugFound() || !(OUTCOME.equals(r.outcome()) || "completed".equals(r.outcome()))) return Optional.empty();
    return of(driverNames, r.exposureNanos(), r.probeFailures());
  }

  /** From a run's exposure per {@code driver/variant} and its probe failures. */
  static Optional<NonRun> of(List<String> driverNames, java.util.Map<String, Long> exposure,
      List<String> probeFailures) {
    List<String> never = new ArrayList<>();
    for (String driver : driverNames) {
      boolean bound = exposure.entrySet().stream()
          .anyMatch(e -> e.getKey().startsWith(driver + "/") && e.getValue() > 0);
      if (!bound) never.add(driver);
    }
    if (never.isEmpty()) return Optional.empty();
    List<String> why = probeFailures.stream()
        .filter(f -> never.stream().anyMatch(d -> f.startsWith(d + ":"))).toList();
    return Optional.of(new NonRun(List.copyOf(never), why));
  }

  /** One line for a terminal: what never bound and why. */
  public String describe() {
    String what = String.join(", ", drivers) + " never bound";
    if (probeFailures.isEmpty()) return what + ": it matched no device (check the scenario's devices and the "
        + "driver's ID table)";
    return what + ": " + String.join("; ", probeFailures);
  }
}
