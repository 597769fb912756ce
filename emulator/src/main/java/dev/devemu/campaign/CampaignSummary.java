package dev.devemu.campaign;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.devemu.kernel.Variant;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The results of a campaign — and only results: no wall-clock time, no host, no worker count — so that two
 * campaigns over the same runs compare equal byte for byte. Written as {@code summary.json} (schema in
 * {@code docs/campaigns.md}); {@link ReportHtml} draws {@code report.html} from it.
 *
 * @param drivers one row per driver and variant that was ever bound
 * @param variants one row per variant, over every driver (oopses blamed on the kernel itself count here only)
 * @param comparisons safe against raw, per driver and over all drivers
 * @param signatures distinct bugs, most frequent first, each with one run that shows it
 * @param timeline per variant, cumulative oopses against cumulative device-hours over its seeds 1..N_v
 * @param coverage error-path coverage over the counted runs; null unless the campaign records it ({@code --coverage}),
 *     and then absent from the JSON, which stays byte-identical to a summary written before coverage existed
 */
public record CampaignSummary(CampaignSpec spec, SeedSelection.Result selection, long runs,
    Map<String, Long> outcomes, List<Group> variants, List<Group> drivers, List<Comparison> comparisons,
    List<Signature> signatures, List<Series> timeline, Coverage coverage) {

  /**
   * Error-path coverage of a campaign: every call site of a fallible kernel call in driver code that some counted
   * run reached, how often it ran and failed over all of them, and the first run (by seed) in which its error path
   * ran; then per driver and variant the share of reached sites whose error path ran.
   *
   * @param runs counted runs that recorded coverage
   */
  public record Coverage(long runs, List<SiteRow> sites, List<Share> shares) {}

  /** One call site over a campaign; {@code exampleSeed} 0 when its error path never ran. */
  public record SiteRow(String driver, String variant, String site, String call, long calls, long errors,
      long exampleSeed, Variant exampleVariant, String replay) {
    public boolean errorPathRan() {
      return errors > 0;
    }
  }

  /** Per driver and variant: call sites reached, and those whose error path ran. */
  public record Share(String driver, String variant, long sites, long errorPathsRan) {
    public double percent() {
      return sites == 0 ? 0 : 100.0 * errorPathsRan / sites;
    }
  }

  /** Version 2: the selection lists the seeds of each variant ({@code selection.seeds[]}). */
  public static final String SCHEMA = "devemu-campaign-summary/2";

  /** Oopses of a driver (or of every driver: {@code *}) under one variant, over its device-hours. */
  public record Group(String driver, Variant variant, long runs, long exposureNanos, long oopses,
      PoissonStats.Estimate ratePer1000h, Map<String, Long> byDetector) {
    public double deviceHours() {
      return exposureNanos / (double) CampaignSpec.NANOS_PER_HOUR;
    }
  }

  /** Safe against raw for one driver ({@code *} = all drivers): the rate ratio and the reduction 1 − ratio. */
  public record Comparison(String driver, Group raw, Group safe, PoissonStats.Estimate rateRatio,
      PoissonStats.Estimate reduction) {}

  /** A distinct bug: its signature, how often it was seen, and the first run (by seed) that shows it. */
  public record Signature(String signature, String detector, String title, String driver, long count,
      Map<Variant, Long> byVariant, long exampleSeed, Variant exampleVariant, String replay) {}

  /** Points (device-hours, oopses), cumulative over seeds in order. */
  public record Series(Variant variant, List<double[]> points) {}

  public static final String RATIO_METHOD = "exact conditional binomial (Clopper-Pearson on k_safe | k_safe + k_raw)";
  public static final String RATE_METHOD = "exact Poisson (Garwood, chi-square quantiles)";

  // ---- JSON ----

  public ObjectNode toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    root.put("schema", SCHEMA);
    ObjectNode sc = root.putObject("scenario");
    sc.put("name", spec.scenarioName());
    sc.put("file", spec.scenarioFile());
    sc.put("sha256", spec.scenarioSha256());

    ObjectNode sel = root.putObject("selection");
    sel.put("mode", spec.mode().word());
    if (spec.mode() == CampaignSpec.Mode.RUNS) sel.put("target_runs", spec.runs());
    else sel.set("target_device_hours", num(spec.deviceHours()));
    ArrayNode vs = sel.putArray("variants");
    spec.variants().forEach(v -> vs.add(v.toString()));
    ArrayNode seeds = sel.putArray("seeds");
    for (SeedSelection.VariantSelection v : selection.variants()) {
      ObjectNode n = seeds.addObject();
      n.put("variant", v.variant().toString());
      n.put("first_seed", v.lastSeed() > 0 ? 1 : 0);
      n.put("last_seed", v.lastSeed());
      n.put("complete", v.complete());
    }
    sel.put("complete", selection.complete());

    ObjectNode stats = root.putObject("statistics");
    stats.set("confidence", num(PoissonStats.CONFIDENCE));
    stats.put("rate_unit", "oopses per 1000 device-hours");
    stats.put("rate_interval", RATE_METHOD);
    stats.put("ratio_interval", RATIO_METHOD);
    stats.put("exposure", "time a driver instance was bound to its device; with panic-on-oops a run ends at its first oops");

    ObjectNode rs = root.putObject("runs");
    rs.put("total", runs);
    ObjectNode oc = rs.putObject("by_outcome");
    outcomes.forEach(oc::put);

    ArrayNode va = root.putArray("variants");
    for (Group g : variants) va.add(group(g));
    ArrayNode da = root.putArray("drivers");
    for (Group g : drivers) da.add(group(g));

    ArrayNode ca = root.putArray("comparison");
    for (Comparison c : comparisons) {
      ObjectNode n = ca.addObject();
      n.put("driver", c.driver());
      n.set("raw_rate_per_1000h", num(c.raw().ratePer1000h().value()));
      n.set("safe_rate_per_1000h", num(c.safe().ratePer1000h().value()));
      n.set("rate_ratio", estimate(c.rateRatio()));
      n.set("reduction", estimate(c.reduction()));
    }

    ArrayNode sa = root.putArray("signatures");
    for (Signature s : signatures) {
      ObjectNode n = sa.addObject();
      n.put("signature", s.signature());
      n.put("detector", s.detector());
      n.put("title", s.title());
      n.put("driver", s.driver());
      n.put("count", s.count());
      ObjectNode bv = n.putObject("by_variant");
      s.byVariant().forEach((v, count) -> bv.put(v.toString(), count));
      ObjectNode ex = n.putObject("example");
      ex.put("seed", s.exampleSeed());
      ex.put("variant", s.exampleVariant().toString());
      ex.put("replay", s.replay());
    }

    if (coverage != null) root.set("error_path_coverage", coverage(coverage));

    ArrayNode ta = root.putArray("timeline");
    for (Series s : timeline) {
      ObjectNode n = ta.addObject();
      n.put("variant", s.variant().toString());
      n.put("x", "device_hours");
      n.put("y", "oopses");
      ArrayNode pts = n.putArray("points");
      for (double[] p : s.points()) {
        ArrayNode pt = pts.addArray();
        pt.add(num(p[0]));
        pt.add(num(p[1]));
      }
    }
    return root;
  }

  private static ObjectNode coverage(Coverage c) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("what", "call sites of fallible kernel calls in driver code that a counted run reached, and whether the"
        + " call failed there (its error path ran); sites no run reached are not listed");
    n.put("runs", c.runs());
    ArrayNode shares = n.putArray("drivers");
    for (Share s : c.shares()) {
      ObjectNode j = shares.addObject();
      j.put("driver", s.driver());
      j.put("variant", s.variant());
      j.put("sites", s.sites());
      j.put("error_paths_ran", s.errorPathsRan());
      j.set("percent", num(s.percent()));
    }
    ArrayNode sites = n.putArray("sites");
    for (SiteRow r : c.sites()) {
      ObjectNode j = sites.addObject();
      j.put("driver", r.driver());
      j.put("variant", r.variant());
      j.put("site", r.site());
      j.put("call", r.call());
      j.put("calls", r.calls());
      j.put("errors", r.errors());
      j.put("error_path_ran", r.errorPathRan());
      if (r.errorPathRan()) {
        ObjectNode ex = j.putObject("example");
        ex.put("seed", r.exampleSeed());
        ex.put("variant", r.exampleVariant() == null ? null : r.exampleVariant().toString());
        ex.put("replay", r.replay());
      }
    }
    return n;
  }

  private static ObjectNode group(Group g) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("driver", g.driver());
    n.put("variant", g.variant().toString());
    n.put("runs", g.runs());
    n.put("exposure_ns", g.exposureNanos());
    n.set("device_hours", num(g.deviceHours()));
    n.put("oopses", g.oopses());
    n.set("rate_per_1000h", estimate(g.ratePer1000h()));
    ObjectNode bd = n.putObject("by_detector");
    g.byDetector().forEach(bd::put);
    return n;
  }

  private static ObjectNode estimate(PoissonStats.Estimate e) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.set("value", num(e.value()));
    n.set("ci95_low", num(e.interval().low()));
    n.set("ci95_high", num(e.interval().high()));
    return n;
  }

  /**
   * Six significant digits, plain notation: stable across JVMs, and enough for rates whose intervals are wider
   * than that. Null stays null (an unbounded or undefined figure).
   */
  static com.fasterxml.jackson.databind.JsonNode num(Double v) {
    if (v == null || v.isNaN() || v.isInfinite()) return JsonNodeFactory.instance.nullNode();
    BigDecimal d = new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros();
    if (d.scale() < 0) d = d.setScale(0);
    if (d.signum() == 0) d = BigDecimal.ZERO;
    return JsonNodeFactory.instance.numberNode(d);
  }

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

  /** The canonical text of a summary: two-space indent, {@code \n} line ends, a final newline. */
  public static String render(ObjectNode json) {
    DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter(com.fasterxml.jackson.core.util.Separators
        .createDefaultInstance().withObjectFieldValueSpacing(com.fasterxml.jackson.core.util.Separators.Spacing.AFTER))
        .withObjectIndenter(indenter).withArrayIndenter(indenter);
    try {
      return MAPPER.writer(printer).writeValueAsString(json) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public void write(Path file) throws IOException {
    Files.writeString(file, render(toJson()), StandardCharsets.UTF_8);
  }
}
