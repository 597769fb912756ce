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
