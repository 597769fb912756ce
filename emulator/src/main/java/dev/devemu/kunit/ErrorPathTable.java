package dev.devemu.kunit;

import dev.devemu.kernel.ErrorPaths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Error-path coverage as a table: one row per call site of a fallible kernel call (driver, variant, source line,
 * call), how often it ran, how often it failed, and whether its error path ever ran; then per driver and variant
 * the share of sites whose error path ran. A site is known once it has run at least once (sites no run reached are
 * not listed: the table says what was exercised, not what exists).
 */
public final class ErrorPathTable {
  private ErrorPathTable() {}

  /** Per driver and variant ({@code my_pcie/raw}): sites seen, sites whose error path ran. */
  public record Share(String key, int sites, int covered) {
    public double percent() {
      return sites == 0 ? 0 : 100.0 * covered / sites;
    }
  }

  public static List<Share> shares(ErrorPaths paths, List<String> drivers) {
    Map<String, int[]> by = new LinkedHashMap<>();
    paths.sites().forEach((site, counts) -> {
      if (drivers != null && !drivers.contains(site.driver())) return;
      int[] c = by.computeIfAbsent(site.driver() + "/" + site.variant(), k -> new int[2]);
      c[0]++;
      if (counts.errors() > 0) c[1]++;
    });
    List<Share> out = new ArrayList<>();
    by.forEach((k, c) -> out.add(new Share(k, c[0], c[1])));
    return out;
  }

  /**
   * Coverage under {@code kunit} and under a campaign side by side: every site either reached, for the given drivers
   * and variant, and under which its error path ran ({@code kunit}, {@code campaign}, {@code both} or
   * {@code never}); then per driver the shares under each and under either.
   */
  public static List<String> combinedLines(ErrorPaths kunit, Map<ErrorPaths.Site, ErrorPaths.Counts> campaign,
      List<String> drivers, String variant) {
    java.util.TreeMap<ErrorPaths.Site, ErrorPaths.Counts[]> rows = new java.util.TreeMap<>();
    kunit.sites().forEach((s, c) -> rows.computeIfAbsent(s, k -> new ErrorPaths.Counts[2])[0] = c);
    campaign.forEach((s, c) -> rows.computeIfAbsent(s, k -> new ErrorPaths.Counts[2])[1] = c);
    rows.keySet().removeIf(s -> !drivers.contains(s.driver()) || !s.variant().equals(variant));
    List<String> out = new ArrayList<>();
    out.add("error-path coverage under kunit and the campaign (" + variant + "; a site is listed once either reached it)");
    out.add(String.format("%-10s %-28s %-22s %15s %15s  %s", "driver", "site", "call", "kunit err/calls",
        "campaign err/calls", "error path ran under"));
    Map<String, int[]> shares = new LinkedHashMap<>(); // sites, kunit, campaign, either
    rows.forEach((s, c) -> {
      boolean k = c[0] != null && c[0].errors() > 0;
      boolean m = c[1] != null && c[1].errors() > 0;
      out.add(String.format("%-10s %-28s %-22s %15s %15s  %s", s.driver(), s.source(), s.call(), ratio(c[0]),
          ratio(c[1]), k && m ? "both" : k ? "kunit" : m ? "campaign" : "never"));
      int[] sh = shares.computeIfAbsent(s.driver(), x -> new int[4]);
      sh[0]++;
      if (k) sh[1]++;
      if (m) sh[2]++;
      if (k || m) sh[3]++;
    });
    shares.forEach((d, sh) -> out.add(String.format("%s/%s: of %d sites, error paths ran under kunit %d, under the "
        + "campaign %d, under either %d (%.0f%%)", d, variant, sh[0], sh[1], sh[2], sh[3], 100.0 * sh[3] / sh[0])));
    return out;
  }

  private static String ratio(ErrorPaths.Counts c) {
    return c == null ? "-" : c.errors() + "/" + c.calls();
  }

  /** The table as text lines, for a terminal (drivers null: all). */
  public static List<String> lines(ErrorPaths paths, List<String> drivers) {
    List<String> out = new ArrayList<>();
    out.add("error-path coverage (fallible kernel calls in driver code; a site is listed once it has run)");
    out.add(String.format("%-10s %-5s %-28s %-22s %8s %8s  %s", "driver", "var", "site", "call", "calls", "errors",
        "error path"));
    paths.sites().forEach((site, counts) -> {
      if (drivers != null && !drivers.contains(site.driver())) return;
      out.add(String.format("%-10s %-5s %-28s %-22s %8d %8d  %s", site.driver(), site.variant(), site.source(),
          site.call(), counts.calls(), counts.errors(), counts.errors() > 0 ? "ran" : "never ran"));
    });
    for (Share s : shares(paths, drivers)) {
      out.add(String.format("%s: %d of %d error paths ran (%.0f%%)", s.key(), s.covered(), s.sites(), s.percent()));
    }
    return out;
  }
}
