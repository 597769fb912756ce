package dev.devemu.campaign;

import dev.devemu.kernel.Variant;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code report.html}: the campaign's comparison table and two plots — oops rate with its 95% interval per driver
 * and variant, and cumulative oopses over simulated device-hours — in one self-contained file (inline CSS, inline
 * SVG drawn here from the summary; no script, no font, no network), readable offline in any browser.
 */
public final class ReportHtml {
  private static final String RAW_COLOUR = "#c0392b";
  private static final String SAFE_COLOUR = "#1f6fb2";

  private ReportHtml() {}

  public static void write(Path file, CampaignSummary s) throws IOException {
    Files.writeString(file, render(s), StandardCharsets.UTF_8);
  }

  public static String render(CampaignSummary s) {
    CampaignSpec spec = s.spec();
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>devemu campaign: ")
        .append(esc(spec.scenarioName())).append("</title>\n<style>\n")
        .append("body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;")
        .append("max-width:1100px;color:#222;line-height:1.4;padding:0 1em}\n")
        .append("h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}\n")
        .append("table{border-collapse:collapse;margin:.5em 0;font-size:.92em}th,td{border:1px solid #ccc;")
        .append("padding:.3em .6em;text-align:right;vertical-align:top}th{background:#f3f3f3}")
        .append("td.l,th.l{text-align:left}\ncode{font-size:.9em;background:#f6f6f6;padding:0 .2em}\n")
        .append(".raw{color:").append(RAW_COLOUR).append("}.safe{color:").append(SAFE_COLOUR).append("}\n")
        .append(".note{color:#555;font-size:.9em}svg{background:#fff;border:1px solid #ddd}\n")
        .append("</style></head><body>\n");

    h.append("<h1>Campaign: ").append(esc(spec.scenarioName())).append("</h1>\n<p>Scenario <code>")
        .append(esc(spec.scenarioFile())).append("</code> (sha256 ").append(esc(spec.scenarioSha256(), 12))
        .append("…). ");
    SeedSelection.Result sel = s.selection();
    h.append(seeds(sel)).append(": ").append(s.runs()).append(" runs");
    if (spec.mode() == CampaignSpec.Mode.DEVICE_HOURS) {
      h.append(", each variant's seeds chosen as the fewest that give it ").append(num(spec.deviceHours()))
          .append(" device-hours");
    }
    h.append(". Outcomes: ");
    List<String> oc = new ArrayList<>();
    s.outcomes().forEach((k, v) -> oc.add(esc(k) + " " + v));
    h.append(String.join(", ", oc)).append(".");
    if (!sel.complete()) h.append(" <strong>Incomplete:</strong> some runs of these seeds are missing.");
    h.append("</p>\n<p class=\"note\">Rates are oopses per 1000 simulated device-hours (time a driver was bound) "
        + "with exact 95% Poisson intervals (Garwood); the reduction is 1 − rate<sub>safe</sub>/rate<sub>raw</sub> "
        + "with the exact conditional binomial interval. Every figure comes from the runs listed in "
        + "<code>results.jsonl</code>.</p>\n");

    h.append("<h2>Safe against raw</h2>\n<table><tr><th class=\"l\">driver</th><th>raw oopses</th><th>raw device-h</th>"
        + "<th>raw rate /1000 h [95% CI]</th><th>safe oopses</th><th>safe device-h</th><th>safe rate /1000 h [95% CI]</th>"
        + "<th>reduction [95% CI]</th></tr>\n");
    for (CampaignSummary.Comparison c : s.comparisons()) {
      h.append("<tr><td class=\"l\">").append(c.driver().equals("*") ? "<b>all drivers</b>" : esc(c.driver()))
          .append("</td>");
      cells(h, c.raw());
      cells(h, c.safe());
      h.append("<td>").append(reduction(c.reduction())).append("</td></tr>\n");
    }
    if (s.comparisons().isEmpty()) h.append("<tr><td class=\"l\" colspan=\"8\">only one variant was run</td></tr>\n");
    h.append("</table>\n");

    h.append("<h2>Oops rate per driver and variant</h2>\n").append(ratePlot(s)).append('\n');
    h.append("<h2>Oopses over simulated time</h2>\n").append(timelinePlot(s))
        .append("\n<p class=\"note\">Cumulative oopses against cumulative device-hours, each variant's seeds in "
            + "order; the slope is the rate.</p>\n");

    h.append("<h2>By detector</h2>\n<table><tr><th class=\"l\">driver</th><th class=\"l\">variant</th><th>runs</th>"
        + "<th>device-h</th><th>oopses</th><th class=\"l\">detectors</th></tr>\n");
    List<CampaignSummary.Group> rows = new ArrayList<>(s.drivers());
    rows.addAll(s.variants());
    for (CampaignSummary.Group g : rows) {
      h.append("<tr><td class=\"l\">").append(g.driver().equals("*") ? "<b>all</b>" : esc(g.driver()))
          .append("</td><td class=\"l ").append(esc(g.variant())).append("\">").append(esc(g.variant()))
          .append("</td><td>").append(g.runs()).append("</td><td>").append(num(g.deviceHours())).append("</td><td>")
          .append(g.oopses()).append("</td><td class=\"l\">");
      List<String> ds = new ArrayList<>();
      for (Map.Entry<String, Long> e : g.byDetector().entrySet()) ds.add(esc(e.getKey()) + " " + e.getValue());
      h.append(ds.isEmpty() ? "—" : String.join(", ", ds)).append("</td></tr>\n");
    }
    h.append("</table>\n");

    h.append("<h2>Distinct bugs (by signature)</h2>\n");
    if (s.signatures().isEmpty()) {
      h.append("<p>No oops in these runs.</p>\n");
    } else {
      h.append("<table><tr><th>count</th><th class=\"l\">detector</th><th class=\"l\">driver</th>"
          + "<th class=\"l\">first report line</th><th class=\"l\">by variant</th><th class=\"l\">replay one</th></tr>\n");
      for (CampaignSummary.Signature g : s.signatures()) {
        List<String> bv = new ArrayList<>();
        g.byVariant().forEach((k, v) -> bv.add(esc(k) + " " + v));
        h.append("<tr><td>").append(g.count()).append("</td><td class=\"l\">").append(esc(g.detector()))
            .append("</td><td class=\"l\">").append(esc(g.driver())).append("</td><td class=\"l\">")
            .append(esc(g.title())).append("<br><span class=\"note\">").append(esc(g.signature()))
            .append("</span></td><td class=\"l\">").append(String.join(", ", bv)).append("</td><td class=\"l\"><code>")
            .append(esc(g.replay())).append("</code></td></tr>\n");
      }
      h.append("</table>\n");
    }
    if (s.coverage() != null) coverage(h, s.coverage());
    h.append("<p class=\"note\">Drawn from <code>summary.json</code>. When, where and how fast the campaign ran is in "
        + "<code>run-info.json</code>.</p>\n</body></html>\n");
    return h.toString();
  }

  /** The error-path coverage table: shares per driver and variant, then every call site reached. */
  private static void coverage(StringBuilder h, CampaignSummary.Coverage c) {
    h.append("<h2>Error-path coverage</h2>\n<p class=\"note\">Call sites of fallible kernel calls in driver code "
        + "that one of the ").append(c.runs()).append(" counted runs reached, and whether the call failed there "
        + "(the driver's error path for it ran). Sites no run reached are not listed.</p>\n");
    h.append("<table><tr><th class=\"l\">driver</th><th class=\"l\">variant</th><th>sites reached</th>"
        + "<th>error paths ran</th><th>share</th></tr>\n");
    for (CampaignSummary.Share s : c.shares()) {
      h.append("<tr><td class=\"l\">").append(esc(s.driver())).append("</td><td class=\"l ").append(esc(s.variant()))
          .append("\">").append(esc(s.variant())).append("</td><td>").append(s.sites()).append("</td><td>")
          .append(s.errorPathsRan()).append("</td><td>").append(num(s.percent())).append("%</td></tr>\n");
    }
    if (c.shares().isEmpty()) h.append("<tr><td class=\"l\" colspan=\"5\">no driver made a fallible call</td></tr>\n");
    h.append("</table>\n<table><tr><th class=\"l\">driver</th><th class=\"l\">variant</th><th class=\"l\">site</th>"
        + "<th class=\"l\">call</th><th>calls</th><th>errors</th><th class=\"l\">error path</th></tr>\n");
    for (CampaignSummary.SiteRow r : c.sites()) {
      h.append("<tr><td class=\"l\">").append(esc(r.driver())).append("</td><td class=\"l ").append(esc(r.variant()))
          .append("\">").append(esc(r.variant())).append("</td><td class=\"l\"><code>").append(esc(r.site()))
          .append("</code></td><td class=\"l\"><code>").append(esc(r.call())).append("</code></td><td>")
          .append(r.calls()).append("</td><td>").append(r.errors()).append("</td><td class=\"l\">")
          .append(r.errorPathRan() ? "ran, first in <code>" + esc(r.replay()) + "</code>" : "<b>never ran</b>")
          .append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  private static void cells(StringBuilder h, CampaignSummary.Group g) {
    h.append("<td>").append(g.oopses()).append("</td><td>").append(num(g.deviceHours())).append("</td><td>")
        .append(rate(g.ratePer1000h())).append("</td>");
  }

  private static String rate(PoissonStats.Estimate e) {
    if (e.value() == null) return "—";
    return num(e.value()) + " [" + num(e.interval().low()) + ", " + num(e.interval().high()) + "]";
  }

  private static String reduction(PoissonStats.Estimate e) {
    PoissonStats.Interval i = e.interval();
    if (e.value() == null && i.low() == null && i.high() == null) return "— (no oops in either variant)";
    String v = e.value() == null ? "undefined (raw had no oops)" : pct(e.value());
    return v + " [" + (i.low() == null ? "−∞" : pct(i.low())) + ", " + (i.high() == null ? "+∞" : pct(i.high())) + "]";
  }

  private static String pct(double v) {
    return num(100 * v) + "%";
  }

  // ---- plots ----

  private static String colour(Variant variant) {
    return switch (variant) {
      case RAW -> RAW_COLOUR;
      case SAFE -> SAFE_COLOUR;
    };
  }

  /** Points with whiskers: one group per driver (and all drivers), one point per variant. */
  static String ratePlot(CampaignSummary s) {
    List<String> labels = new ArrayList<>();
    List<List<CampaignSummary.Group>> groups = new ArrayList<>();
    String current = null;
    for (CampaignSummary.Group g : s.drivers()) {
      if (!g.driver().equals(current)) {
        current = g.driver();
        labels.add(g.driver());
        groups.add(new ArrayList<>());
      }
      groups.get(groups.size() - 1).add(g);
    }
    labels.add("all drivers");
    groups.add(s.variants());
    double max = 0;
    for (List<CampaignSummary.Group> gs : groups) {
      for (CampaignSummary.Group g : gs) {
        PoissonStats.Interval i = g.ratePer1000h().interval();
        if (i.high() != null) max = Math.max(max, i.high());
      }
    }
    if (max <= 0) max = 1;
    max = niceCeiling(max);
    int width = 140 + 160 * labels.size();
    int height = 320;
    int left = 70;
    int top = 20;
    int plotH = 240;
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
        .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
        .append("\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"oops rate per driver and variant\">\n");
    axisY(svg, left, top, plotH, width - 20, max, "oopses / 1000 device-h");
    for (int gi = 0; gi < groups.size(); gi++) {
      double cx = left + 80 + 160 * gi;
      List<CampaignSummary.Group> gs = groups.get(gi);
      for (int k = 0; k < gs.size(); k++) {
        CampaignSummary.Group g = gs.get(k);
        double x = cx + (k - (gs.size() - 1) / 2.0) * 36;
        PoissonStats.Estimate e = g.ratePer1000h();
        if (e.value() == null) continue;
        String c = colour(g.variant());
        double yLow = top + plotH - plotH * e.interval().low() / max;
        double yHigh = top + plotH - plotH * e.interval().high() / max;
        double y = top + plotH - plotH * e.value() / max;
        svg.append("<line x1=\"").append(f(x)).append("\" y1=\"").append(f(yLow)).append("\" x2=\"").append(f(x))
            .append("\" y2=\"").append(f(yHigh)).append("\" stroke=\"").append(c).append("\" stroke-width=\"2\"/>\n");
        for (double yy : new double[] {yLow, yHigh}) {
          svg.append("<line x1=\"").append(f(x - 7)).append("\" y1=\"").append(f(yy)).append("\" x2=\"").append(f(x + 7))
              .append("\" y2=\"").append(f(yy)).append("\" stroke=\"").append(c).append("\" stroke-width=\"2\"/>\n");
        }
        svg.append("<circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y)).append("\" r=\"5\" fill=\"").append(c)
            .append("\"><title>").append(esc(g.driver().equals("*") ? "all drivers" : g.driver())).append(' ')
            .append(esc(g.variant())).append(": ").append(rate(e)).append(" (").append(g.oopses()).append(" oopses in ")
            .append(num(g.deviceHours())).append(" device-h)</title></circle>\n");
        svg.append("<text x=\"").append(f(x)).append("\" y=\"").append(top + plotH + 16)
            .append("\" text-anchor=\"middle\" fill=\"").append(c).append("\">").append(esc(g.variant())).append("</text>\n");
      }
      svg.append("<text x=\"").append(f(cx)).append("\" y=\"").append(top + plotH + 34)
          .append("\" text-anchor=\"middle\" font-weight=\"bold\">").append(esc(labels.get(gi))).append("</text>\n");
    }
    svg.append("</svg>");
    return svg.toString();
  }

  /** "Seeds 1..N × variants raw, safe", or when the variants count different seeds "Seeds 1..N (raw), 1..M (safe)". */
  static String seeds(SeedSelection.Result sel) {
    if (sel.sameSeeds()) {
      List<String> names = new ArrayList<>();
      for (SeedSelection.VariantSelection v : sel.variants()) names.add(v.variant().toString());
      return "Seeds 1.." + sel.maxLastSeed() + " × variants " + esc(String.join(", ", names));
    }
    List<String> parts = new ArrayList<>();
    for (SeedSelection.VariantSelection v : sel.variants()) {
      parts.add("1.." + v.lastSeed() + " (<span class=\"" + esc(v.variant()) + "\">" + esc(v.variant()) + "</span>)");
    }
    return "Seeds " + String.join(", ", parts);
  }

  /** Cumulative oopses (y) over cumulative device-hours (x), one line per variant. */
  static String timelinePlot(CampaignSummary s) {
    double maxX = 0;
    double maxY = 0;
    for (CampaignSummary.Series series : s.timeline()) {
      for (double[] p : series.points()) {
        maxX = Math.max(maxX, p[0]);
        maxY = Math.max(maxY, p[1]);
      }
    }
    maxX = niceCeiling(maxX <= 0 ? 1 : maxX);
    maxY = niceCeiling(maxY <= 0 ? 1 : maxY);
    int width = 760;
    int height = 340;
    int left = 70;
    int top = 20;
    int plotW = width - left - 120;
    int plotH = 260;
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
        .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
        .append("\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"cumulative oopses over device-hours\">\n");
    axisY(svg, left, top, plotH, left + plotW, maxY, "oopses (cumulative)");
    for (int i = 0; i <= 5; i++) {
      double v = maxX * i / 5;
      double x = left + plotW * i / 5.0;
      svg.append("<line x1=\"").append(f(x)).append("\" y1=\"").append(top + plotH).append("\" x2=\"").append(f(x))
          .append("\" y2=\"").append(top + plotH + 5).append("\" stroke=\"#333\"/>\n<text x=\"").append(f(x))
          .append("\" y=\"").append(top + plotH + 18).append("\" text-anchor=\"middle\">").append(num(v)).append("</text>\n");
    }
    svg.append("<text x=\"").append(left + plotW / 2).append("\" y=\"").append(top + plotH + 36)
        .append("\" text-anchor=\"middle\">simulated device-hours (cumulative)</text>\n");
    int legend = 0;
    for (CampaignSummary.Series series : s.timeline()) {
      String c = colour(series.variant());
      StringBuilder pts = new StringBuilder();
      for (double[] p : series.points()) {
        pts.append(f(left + plotW * p[0] / maxX)).append(',').append(f(top + plotH - plotH * p[1] / maxY)).append(' ');
      }
      svg.append("<polyline fill=\"none\" stroke=\"").append(c).append("\" stroke-width=\"2\" points=\"")
          .append(pts.toString().trim()).append("\"/>\n");
      int ly = top + 14 + 18 * legend++;
      svg.append("<line x1=\"").append(left + plotW + 15).append("\" y1=\"").append(ly - 4).append("\" x2=\"")
          .append(left + plotW + 40).append("\" y2=\"").append(ly - 4).append("\" stroke=\"").append(c)
          .append("\" stroke-width=\"2\"/>\n<text x=\"").append(left + plotW + 46).append("\" y=\"").append(ly)
          .append("\">").append(esc(series.variant())).append("</text>\n");
    }
    svg.append("</svg>");
    return svg.toString();
  }

  private static void axisY(StringBuilder svg, int left, int top, int plotH, int right, double max, String label) {
    svg.append("<line x1=\"").append(left).append("\" y1=\"").append(top).append("\" x2=\"").append(left)
        .append("\" y2=\"").append(top + plotH).append("\" stroke=\"#333\"/>\n<line x1=\"").append(left).append("\" y1=\"")
        .append(top + plotH).append("\" x2=\"").append(right).append("\" y2=\"").append(top + plotH)
        .append("\" stroke=\"#333\"/>\n");
    for (int i = 0; i <= 5; i++) {
      double v = max * i / 5;
      double y = top + plotH - plotH * i / 5.0;
      svg.append("<line x1=\"").append(left - 5).append("\" y1=\"").append(f(y)).append("\" x2=\"").append(right)
          .append("\" y2=\"").append(f(y)).append("\" stroke=\"").append(i == 0 ? "#333" : "#eee").append("\"/>\n")
          .append("<text x=\"").append(left - 8).append("\" y=\"").append(f(y + 4)).append("\" text-anchor=\"end\">")
          .append(num(v)).append("</text>\n");
    }
    svg.append("<text transform=\"translate(16,").append(top + plotH / 2).append(") rotate(-90)\" text-anchor=\"middle\">")
        .append(esc(label)).append("</text>\n");
  }

  /** 1, 2 or 5 times a power of ten, at least {@code v}. */
  static double niceCeiling(double v) {
    double p = StrictMath.pow(10, StrictMath.floor(StrictMath.log10(v)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= v) return m * p;
    }
    return 10 * p;
  }

  private static String f(double v) {
    return BigDecimal.valueOf(Math.round(v * 10) / 10.0).stripTrailingZeros().toPlainString();
  }

  /** Four significant digits, plain. */
  static String num(Double v) {
    if (v == null) return "—";
    if (v == 0) return "0";
    BigDecimal d = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros();
    if (d.scale() < 0) d = d.setScale(0);
    return d.toPlainString();
  }


  private static String esc(Variant v) {
    return esc(v.toString());
  }

  private static String esc(String s) {
    return esc(s, Integer.MAX_VALUE);
  }

  private static String esc(String s, int max) {
    if (s == null) return "";
    String t = s.length() > max ? s.substring(0, max) : s;
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
