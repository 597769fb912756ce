package dev.devemu.kunit;

import dev.devemu.testbed.RunResult;
import dev.devemu.uapi.Errno;

/** What a {@link MockBed} run produced, with the questions driver tests ask of it. */
public record BedRun(RunResult result, String driver) {
  /**
   * What the driver's probe returned: 0 if it bound (or never failed), else the errno of the first failed probe
   * ({@code -ENODEV} is -19).
   */
  public long probeRc() {
    String prefix = driver + ": probe of ";
    for (String f : result.probeFailures()) {
      // as drivers/base/dd.c logs it: "my_pcie: probe of 0000:01:00.0 failed with error -19 (ENODEV)"
      if (!f.startsWith(prefix)) continue;
      int at = f.indexOf(" failed with error ");
      if (at < 0) throw new IllegalStateException("unexpected probe failure line: " + f);
      String rc = f.substring(at + " failed with error ".length()).split(" ")[0];
      return rc.matches("-?\\d+") ? Long.parseLong(rc) : Errno.parse(rc);
    }
    return 0;
  }

  /** Whether a kernel log line contains {@code text}. */
  public boolean logged(String text) {
    return result.kernelLog().stream().anyMatch(l -> l.contains(text));
  }

  /**
   * The virtual time of the first kernel log line that contains {@code text} (from its {@code [    5.001000]}
   * stamp, in nanoseconds), or -1 if no line does.
   */
  public long loggedAtNanos(String text) {
    for (String l : result.kernelLog()) {
      if (!l.contains(text)) continue;
      int open = l.indexOf('[');
      int close = l.indexOf(']', open + 1);
      if (open < 0 || close < 0) return -1;
      return new java.math.BigDecimal(l.substring(open + 1, close).trim()).movePointRight(9).longValueExact();
    }
    return -1;
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
