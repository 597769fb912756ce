package dev.devemu.kunit;

import dev.devemu.testbed.RunResult;

/** What a {@link MockBed} run produced, with the questions driver tests ask of it. */
public record BedRun(RunResult result, String driver) {
  private static final java.util.regex.Pattern PROBE_FAILURE =
      java.util.regex.Pattern.compile("(\\S+): probe of \\S+ failed with error (-?\\d+)( \\(\\w+\\))?");

  /**
   * What the driver's probe returned: 0 if it bound (or never failed), else the errno of the first failed probe
   * ({@code -ENODEV} is -19).
   */
  public long probeRc() {
    for (String f : result.probeFailures()) {
      // as the kernel logs it: "my_pcie: probe of 0000:00:02.0 failed with error -19 (ENODEV)"
      java.util.regex.Matcher m = PROBE_FAILURE.matcher(f);
      if (m.matches() && m.group(1).equals(driver)) return Long.parseLong(m.group(2));
    }
    return 0;
  }

  /** Whether a kernel log line contains {@code text}. */
  public boolean logged(String text) {
    return result.kernelLog().stream().anyMatch(l -> l.contains(text));
  }

  /** How many kernel log lines contain {@code text}. */
  public long loggedTimes(String text) {
    return result.kernelLog().stream().filter(l -> l.contains(text)).count();
  }

  /** Virtual nanoseconds the driver was bound, in this variant. */
  public long boundNanos(String variant) {
    return result.exposureNanos().getOrDefault(driver + "/" + variant, 0L);
  }

  public boolean reported() {
    return !result.oopses().isEmpty();
  }
}
