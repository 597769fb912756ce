package dev.devemu.testbed;

import dev.devemu.kernel.Oops;
import java.util.List;
import java.util.Map;

/**
 * What one run produced. Everything here is a function of the scenario, the seed and the variant: two runs
 * with the same inputs give equal results.
 *
 * @param outcome {@code completed} (ran for the whole duration) or {@code panic} (stopped at the first report)
 * @param exposureNanos per driver ({@code my_pcie/raw}), how long its instances were bound
 * @param probeFailures probes that returned an error (driver, device, errno)
 * @param faultsInjected how many injected failures the kernel's fault points produced
 * @param internalError null, or what went wrong inside the emulator itself (outcome {@code internal-error})
 */
public record RunResult(String scenario, long seed, String variant, String outcome, long virtualNanos,
    long choices, List<Oops> oopses, Map<String, Long> exposureNanos, List<String> probeFailures,
    int faultsInjected, int hotplugEvents, List<String> kernelLog, String internalError) {

  public boolean bugFound() {
    return !oopses.isEmpty();
  }
}
