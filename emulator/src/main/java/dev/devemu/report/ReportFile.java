package dev.devemu.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Variant;
import dev.devemu.replay.RunRecipe;
import dev.devemu.replay.StrategySpec;
import dev.devemu.testbed.RunResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON report of a run ({@code --report FILE}), for machines: what was found, in a stable, versioned schema
 * ({@code docs/report-schema.md}, {@code docs/report-schema.json}), and everything {@code devemu replay} needs to
 * make the run again without the scenario file — the recipe — plus the report text it must reproduce.
 */
public final class ReportFile {
  /** The value of the {@code schema} key of every report file. */
  public static final String SCHEMA = "devemu-report";
  /** Bumped when a key changes meaning or disappears; adding keys does not bump it. */
  public static final int SCHEMA_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ReportFile() {}

  /** One oops, as the report lists it. */
  public record Entry(String detector, String title, String signature, String driver, String variant,
      String device, long timeNanos, int cpu, String text) {
    static Entry of(Oops o) {
      return new Entry(o.detector(), o.title(), o.signature(), o.owner().driver(), o.owner().variantWord(),
          o.owner().device(), o.timeNanos(), o.cpu(), o.format());
    }
  }

  /**
   * What a report file holds.
   *
   * @param recipe what replays the run
   * @param replayCommand the command the report text ends with
   * @param result the run's outcome (as {@code run} summarises it)
   * @param traceSha256 hash of the run's deliveries, or null if not computed
   * @param oopses the reports, in order
   * @param reportText exactly what the run printed for its reports ({@link ReportText#of})
   */
  public record Contents(RunRecipe recipe, String replayCommand, Summary result, String traceSha256,
      List<Entry> oopses, String reportText) {
    public String reportSha256() {
      return ReportText.sha256(reportText);
    }

    public boolean bugFound() {
      return !oopses.isEmpty();
    }
  }

  /** The run's outcome in the report's terms. */
  public record Summary(String scenario, List<Variant> variants, String outcome, long virtualNanos, long deliveries,
      int faultsInjected, int hotplugEvents, Map<String, Long> exposureNanos, List<String> probeFailures) {
    public static Summary of(RunResult r, List<Variant> variants) {
      return new Summary(r.scenario(), variants, r.outcome(), r.virtualNanos(), r.choices(), r.faultsInjected(),
          r.hotplugEvents(), r.exposureNanos(), r.probeFailures());
    }
  }

  public static Contents of(RunRecipe recipe, String replayCommand, RunResult result, List<Variant> variants,
      String traceSha256, String reportText) {
    return new Contents(recipe, replayCommand, Summary.of(result, variants), traceSha256,
        result.oopses().stream().map(Entry::of).toList(), reportText);
  }

  public static String toJson(Contents c) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", SCHEMA);
    root.put("schema_version", SCHEMA_VERSION);
    root.put("bug_found", c.bugFound());

    RunRecipe r = c.recipe();
    ObjectNode replay = root.putObject("replay");
    replay.put("command", c.replayCommand());
    replay.put("scenario_file", r.scenarioFile());
    replay.put("scenario_source", r.scenarioSource());
    replay.put("seed", r.seed());
    replay.put("variant_override", r.variantOverride() == null ? null : r.variantOverride().toString());
    replay.put("strategy", r.strategy().toString());
    ObjectNode params = replay.putObject("strategy_params");
    params.put("kind", r.strategy().kind());
    if (r.strategy().isPct()) {
      params.put("depth", r.strategy().depth());
      params.put("k", r.strategy().k());
    }
    if (r.strategy().swarm()) params.put("swarm", true); // absent otherwise: reports without it read as before
    if (r.strategy().steer()) {
      params.put("steer", true); // likewise
      if (r.strategy().isPct()) params.put("f", r.strategy().f());
    }
    replay.put("duration_override_ns", r.durationOverrideNanos());
    replay.put("faults_disabled", r.faultsDisabled());
    ArrayNode dropped = replay.putArray("dropped_faults");
    r.droppedFaults().forEach(dropped::add);
    if (r.choices() == null) {
      replay.putNull("choices");
    } else {
      ArrayNode choices = replay.putArray("choices");
      r.choices().forEach(choices::add);
    }
    replay.put("lenient", r.lenient());

    Summary s = c.result();
    ObjectNode run = root.putObject("run");
    run.put("scenario", s.scenario());
    ArrayNode variants = run.putArray("variants");
    s.variants().forEach(v -> variants.add(v.toString()));
    run.put("outcome", s.outcome());
    run.put("virtual_ns", s.virtualNanos());
    run.put("deliveries", s.deliveries());
    run.put("trace_sha256", c.traceSha256());
    run.put("faults_injected", s.faultsInjected());
    run.put("hotplug_events", s.hotplugEvents());
    ObjectNode exposure = run.putObject("exposure_ns");
    s.exposureNanos().forEach(exposure::put);
    ArrayNode failures = run.putArray("probe_failures");
    s.probeFailures().forEach(failures::add);

    ArrayNode oopses = root.putArray("oopses");
    for (Entry e : c.oopses()) {
      ObjectNode o = oopses.addObject();
      o.put("detector", e.detector());
      o.put("title", e.title());
      o.put("signature", e.signature());
      ObjectNode owner = o.putObject("owner");
      owner.put("driver", e.driver());
      owner.put("variant", e.variant());
      owner.put("device", e.device());
      o.put("time_ns", e.timeNanos());
      o.put("cpu", e.cpu());
      o.put("text", e.text());
    }
    root.put("report_text", c.reportText());
    root.put("report_sha256", c.reportSha256());
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render a report as JSON", e);
    }
  }

  public static void write(Path path, Contents c) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    Files.writeString(path, toJson(c), StandardCharsets.UTF_8);
  }

  /** True if the file starts like a JSON object (a report) rather than a Protobuf trace. */
  public static boolean looksLikeReport(Path path) throws IOException {
    try (var in = Files.newInputStream(path)) {
      int b;
      while ((b = in.read()) != -1) {
        if (b == ' ' || b == '\n' || b == '\r' || b == '\t') continue;
        return b == '{';
      }
      return false;
    }
  }

  /**
   * Reads a report file.
   *
   * @throws IOException naming the file and the key when it cannot be read or is not a devemu report of a
   *     schema version this build understands
   */
  public static Contents read(Path path) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(path, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IOException(path + ": not a devemu report (invalid JSON: " + e.getOriginalMessage() + ")", e);
    }
    if (root == null || !root.isObject()) throw new IOException(path + ": not a devemu report (not a JSON object)");
    Reader in = new Reader(path, root);
    if (!SCHEMA.equals(in.text(root, "schema"))) {
      throw new IOException(path + ": schema: not a devemu report (expected \"" + SCHEMA + "\")");
    }
    long version = in.number(root, "schema_version");
    if (version != SCHEMA_VERSION) {
      throw new IOException(path + ": schema_version: " + version + " is not supported (this build reads "
          + SCHEMA_VERSION + ")");
    }
    JsonNode replay = in.object(root, "replay");
    StrategySpec strategy;
    try {
      strategy = StrategySpec.parse(in.text(replay, "strategy"));
    } catch (IllegalArgumentException e) {
      throw new IOException(path + ": replay.strategy: " + e.getMessage());
    }
    if (!strategy.resolved() && replay.path("choices").isNull()) {
      throw new IOException(path + ": replay.strategy: " + strategy + " lacks its measured k" + (strategy.steer() ? " or F" : ""));
    }
    List<String> choices = null;
    if (replay.hasNonNull("choices")) choices = in.strings(replay, "choices");
    String variantWord = in.optionalText(replay, "variant_override");
    Variant variant;
    try {
      variant = variantWord == null ? null : Variant.parse(variantWord);
    } catch (IllegalArgumentException e) {
      throw new IOException(path + ": replay.variant_override: " + e.getMessage());
    }
    RunRecipe recipe = new RunRecipe(in.text(replay, "scenario_file"), in.text(replay, "scenario_source"),
        in.number(replay, "seed"), variant, strategy,
        in.number(replay, "duration_override_ns"), in.bool(replay, "faults_disabled"),
        in.strings(replay, "dropped_faults"), choices, in.bool(replay, "lenient"));

    JsonNode run = in.object(root, "run");
    Map<String, Long> exposure = new java.util.TreeMap<>();
    JsonNode exp = in.object(run, "exposure_ns");
    exp.fieldNames().forEachRemaining(k -> exposure.put(k, exp.get(k).asLong()));
    List<Variant> runVariants = new ArrayList<>();
    for (String word : in.strings(run, "variants")) {
      try {
        runVariants.add(Variant.parse(word));
      } catch (IllegalArgumentException e) {
        throw new IOException(path + ": run.variants: " + e.getMessage());
      }
    }
    Summary summary = new Summary(in.text(run, "scenario"), runVariants, in.text(run, "outcome"),
        in.number(run, "virtual_ns"), in.number(run, "deliveries"), (int) in.number(run, "faults_injected"),
        (int) in.number(run, "hotplug_events"), exposure, in.strings(run, "probe_failures"));

    List<Entry> entries = new ArrayList<>();
    JsonNode list = root.get("oopses");
    if (list == null || !list.isArray()) throw new IOException(path + ": oopses: missing or not a list");
    for (JsonNode o : list) {
      JsonNode owner = in.object(o, "owner");
      entries.add(new Entry(in.text(o, "detector"), in.text(o, "title"), in.text(o, "signature"),
          in.text(owner, "driver"), in.text(owner, "variant"), in.text(owner, "device"), in.number(o, "time_ns"),
          (int) in.number(o, "cpu"), in.text(o, "text")));
    }
    Contents c = new Contents(recipe, in.optionalText(replay, "command"), summary, in.optionalText(run, "trace_sha256"),
        entries, in.text(root, "report_text"));
    String sha = in.text(root, "report_sha256");
    if (!sha.equals(c.reportSha256())) {
      throw new IOException(path + ": report_sha256: does not match report_text (the file was edited)");
    }
    return c;
  }

  /** Reads typed keys, naming file and key in every complaint. */
  private record Reader(Path path, JsonNode root) {
    private IOException missing(String key, String what) {
      return new IOException(path + ": " + key + ": missing or not " + what);
    }

    String text(JsonNode n, String key) throws IOException {
      JsonNode v = n.get(key);
      if (v == null || !v.isTextual()) throw missing(key, "a string");
      return v.asText();
    }

    String optionalText(JsonNode n, String key) throws IOException {
      JsonNode v = n.get(key);
      if (v == null || v.isNull()) return null;
      if (!v.isTextual()) throw missing(key, "a string or null");
      return v.asText();
    }

    long number(JsonNode n, String key) throws IOException {
      JsonNode v = n.get(key);
      if (v == null || !v.isIntegralNumber()) throw missing(key, "an integer");
      return v.asLong();
    }

    boolean bool(JsonNode n, String key) throws IOException {
      JsonNode v = n.get(key);
      if (v == null || !v.isBoolean()) throw missing(key, "true or false");
      return v.asBoolean();
    }

    JsonNode object(JsonNode n, String key) throws IOException {
      JsonNode v = n.get(key);
      if (v == null || !v.isObject()) throw missing(key, "an object");
      return v;
    }

    List<String> strings(JsonNode n, String key) throws IOException {
      JsonNode v = n.get(key);
      if (v == null || !v.isArray()) throw missing(key, "a list of strings");
      List<String> out = new ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isTextual()) throw missing(key, "a list of strings");
        out.add(e.asText());
      }
      return out;
    }
  }
}
