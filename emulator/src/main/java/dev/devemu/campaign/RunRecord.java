package dev.devemu.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.devemu.kernel.ErrorPaths;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Variant;
import dev.devemu.testbed.RunResult;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a campaign keeps of one run: enough to aggregate it and to name its bugs, not the kernel log. One line of
 * {@code results.jsonl} each, and what a cluster backend hands to the {@link CampaignAggregator}.
 *
 * @param variant the variant override of the run ({@code raw} or {@code safe})
 * @param outcome {@code completed}, {@code panic}, {@code livelock}, {@code not-bound} (a driver never bound: the run
 *     tested nothing and has no exposure), or {@code internal-error} (the emulator failed; see
 *     {@code internalError})
 * @param exposureNanos per driver ({@code my_pcie/raw}), how long its instances were bound
 * @param choices the scheduling choices the run made (deliveries and timer firings; 0 in lines written before
 *     it was recorded): what the benchmarks divide work by
 * @param errorPaths error-path coverage of the run (a campaign with {@code --coverage}): per call site of a fallible
 *     kernel call in driver code, how often it ran and failed; null when the campaign does not record it (the JSON
 *     line and the Protobuf record then carry nothing, as before coverage existed)
 */
public record RunRecord(long seed, Variant variant, String outcome, long virtualNanos, Map<String, Long> exposureNanos,
    List<OopsRecord> oopses, int probeFailures, int faultsInjected, int hotplugEvents, String internalError,
    long choices, Map<ErrorPaths.Site, ErrorPaths.Counts> errorPaths) {

  /**
   * One oops: its detector, its first line, its signature (what makes two reports the same bug) and the driver it
   * is blamed on ({@code kernel} when no driver is).
   */
  public record OopsRecord(String detector, String title, String signature, String driver, String driverVariant,
      String device, long timeNanos) {}

  public RunRecord {
    exposureNanos = java.util.Collections.unmodifiableMap(new TreeMap<>(exposureNanos));
    oopses = List.copyOf(oopses);
    if (errorPaths != null) errorPaths = java.util.Collections.unmodifiableMap(new TreeMap<>(errorPaths));
  }

  public RunRecord(long seed, Variant variant, String outcome, long virtualNanos, Map<String, Long> exposureNanos,
      List<OopsRecord> oopses, int probeFailures, int faultsInjected, int hotplugEvents, String internalError,
      long choices) {
    this(seed, variant, outcome, virtualNanos, exposureNanos, oopses, probeFailures, faultsInjected, hotplugEvents,
        internalError, choices, null);
  }

  public RunRecord(long seed, Variant variant, String outcome, long virtualNanos, Map<String, Long> exposureNanos,
      List<OopsRecord> oopses, int probeFailures, int faultsInjected, int hotplugEvents, String internalError) {
    this(seed, variant, outcome, virtualNanos, exposureNanos, oopses, probeFailures, faultsInjected, hotplugEvents,
        internalError, 0);
  }

  public RunKey key() {
    return new RunKey(seed, variant);
  }

  /** The record of a finished run. */
  public static RunRecord of(RunKey key, RunResult r) {
    return of(key, r, null);
  }

  /** The record of a finished run whose error paths were recorded into {@code paths} (null: not recorded). */
  public static RunRecord of(RunKey key, RunResult r, ErrorPaths paths) {
    List<OopsRecord> oopses = new ArrayList<>();
    for (Oops o : r.oopses()) {
      oopses.add(new OopsRecord(o.detector(), o.title(), o.signature(), o.owner().driver(), o.owner().variantWord(),
          o.owner().device(), o.timeNanos()));
    }
    Variant variant = key.variant() != null ? key.variant() : Variant.parse(r.variant());
    // a run in which a driver never bound tested nothing: counted apart (outcome not-bound), never as exposure
    Map<String, Long> exposure = dev.devemu.testbed.NonRun.OUTCOME.equals(r.outcome()) ? Map.of() : r.exposureNanos();
    return new RunRecord(key.seed(), variant, r.outcome(), r.virtualNanos(), exposure, oopses,
        r.probeFailures().size(), r.faultsInjected(), r.hotplugEvents(), r.internalError(), r.choices(),
        paths == null ? null : paths.sites());
  }

  /** The same record with error-path coverage (an internal error of a coverage campaign records none: empty). */
  public RunRecord withErrorPaths(Map<ErrorPaths.Site, ErrorPaths.Counts> paths) {
    return new RunRecord(seed, variant, outcome, virtualNanos, exposureNanos, oopses, probeFailures, faultsInjected,
        hotplugEvents, internalError, choices, paths);
  }

  /** A run the emulator could not finish: it counts as a run, with no exposure and no oops. */
  public static RunRecord internalError(RunKey key, String error) {
    return new RunRecord(key.seed(), key.variant(), "internal-error", 0, Map.of(), List.of(), 0, 0, 0, error);
  }

  /** Total bound time over every driver of the run. */
  public long totalExposureNanos() {
    long sum = 0;
    for (long v : exposureNanos.values()) sum += v;
    return sum;
  }

  // ---- one JSON object per line, fields in a fixed order ----

  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("seed", seed);
    n.put("variant", variant.toString());
    n.put("outcome", outcome);
    n.put("virtual_ns", virtualNanos);
    ObjectNode exposure = n.putObject("exposure_ns");
    exposureNanos.forEach(exposure::put);
    ArrayNode list = n.putArray("oopses");
    for (OopsRecord o : oopses) {
      ObjectNode j = list.addObject();
      j.put("detector", o.detector());
      j.put("title", o.title());
      j.put("signature", o.signature());
      j.put("driver", o.driver());
      j.put("driver_variant", o.driverVariant());
      j.put("device", o.device());
      j.put("time_ns", o.timeNanos());
    }
    n.put("probe_failures", probeFailures);
    n.put("faults_injected", faultsInjected);
    n.put("hotplug_events", hotplugEvents);
    if (internalError != null) n.put("internal_error", internalError);
    n.put("choices", choices);
    if (errorPaths != null) {
      ArrayNode sites = n.putArray("error_paths");
      errorPaths.forEach((site, c) -> {
        ObjectNode j = sites.addObject();
        j.put("driver", site.driver());
        j.put("variant", site.variant());
        j.put("call", site.call());
        j.put("site", site.source());
        j.put("calls", c.calls());
        j.put("errors", c.errors());
      });
    }
    return n;
  }

  /**
   * Reads a record written by {@link #toJson()}.
   *
   * @throws IllegalArgumentException if a field is missing or of the wrong type
   */
  public static RunRecord fromJson(JsonNode n) {
    Map<String, Long> exposure = new TreeMap<>();
    JsonNode e = required(n, "exposure_ns");
    for (Iterator<Map.Entry<String, JsonNode>> it = e.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      exposure.put(f.getKey(), f.getValue().asLong());
    }
    List<OopsRecord> oopses = new ArrayList<>();
    for (JsonNode o : required(n, "oopses")) {
      oopses.add(new OopsRecord(text(o, "detector"), text(o, "title"), text(o, "signature"), text(o, "driver"),
          text(o, "driver_variant"), text(o, "device"), required(o, "time_ns").asLong()));
    }
    JsonNode err = n.get("internal_error");
    Map<ErrorPaths.Site, ErrorPaths.Counts> paths = null;
    if (n.has("error_paths")) {
      paths = new TreeMap<>();
      for (JsonNode j : n.get("error_paths")) {
        paths.merge(new ErrorPaths.Site(text(j, "driver"), text(j, "variant"), text(j, "call"), text(j, "site")),
            new ErrorPaths.Counts(required(j, "calls").asLong(), required(j, "errors").asLong()), ErrorPaths.Counts::plus);
      }
    }
    return new RunRecord(required(n, "seed").asLong(), variant(n, "variant"), text(n, "outcome"),
        required(n, "virtual_ns").asLong(), exposure, oopses, required(n, "probe_failures").asInt(),
        required(n, "faults_injected").asInt(), required(n, "hotplug_events").asInt(),
        err == null || err.isNull() ? null : err.asText(), n.path("choices").asLong(0), paths);
  }

  private static JsonNode required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) throw new IllegalArgumentException("missing field " + field);
    return v;
  }

  private static Variant variant(JsonNode n, String field) {
    try {
      return Variant.parse(text(n, field));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("field " + field + ": " + e.getMessage());
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = required(n, field);
    if (!v.isTextual()) throw new IllegalArgumentException("field " + field + " is not a string");
    return v.asText();
  }
}
