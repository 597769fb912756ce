package dev.devemu.testbed;

import dev.devemu.scenario.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A run that tested nothing: no driver of the scenario ever bound to any device (each probe failed, or none
 * returned), and no bug was reported. Such a run is neither clean nor exposure; every
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

  /**
   * The non-run in {@code r}, if it is one. The testbed decides (outcome {@value #OUTCOME}: no report, and a driver
   * of the scenario never bound, not even for an instant); this says which driver and why.
   */
  public static Optional<NonRun> of(Scenario scenario, RunResult r) {
    return of(scenario.drivers().stream().map(Scenario.DriverSpec::name).distinct().toList(), r);
  }

  /** Like {@link #of(Scenario, RunResult)} with the scenario's driver names. */
  public static Optional<NonRun> of(List<String> driverNames, RunResult r) {
    if (!OUTCOME.equals(r.outcome())) return Optional.empty();
    List<String> never = new ArrayList<>();
    for (String driver : driverNames) {
      boolean bound = r.exposureNanos().entrySet().stream()
          .anyMatch(e -> e.getKey().startsWith(driver + "/") && e.getValue() > 0);
      if (!bound) never.add(driver);
    }
    if (never.isEmpty()) never.addAll(driverNames);
    // The outcome says no driver bound at all, so every failed probe is part of why. (Filtering by the scenario's
    // names lost them: a driver kind may register under another name, as zoo_usb registers as my_usb.)
    List<String> why = List.copyOf(r.probeFailures());
    return Optional.of(new NonRun(List.copyOf(never), why));
  }

  /** One line for a terminal: what never bound and why. */
  public String describe() {
    String what = String.join(", ", drivers) + " never bound";
    if (probeFailures.isEmpty()) return what + ": no probe of it returned (it matched no device, or its probe "
        + "was still running when the run ended)";
    // A device re-plugged under failing allocations fails its probe the same way several times: say it once.
    java.util.Map<String, Integer> times = new java.util.LinkedHashMap<>();
    for (String f : probeFailures) times.merge(f, 1, Integer::sum);
    List<String> lines = new ArrayList<>();
    times.forEach((f, n) -> lines.add(n == 1 ? f : f + " (" + n + " times)"));
    return what + ": " + String.join("; ", lines);
  }
}
