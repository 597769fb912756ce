package dev.devemu.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.devemu.kernel.Variant;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What a campaign measures, and nothing about where or how fast: the scenario, which seeds (1..N, or for each
 * variant as many as it takes to reach a number of device-hours), and which variants. Two campaigns with equal
 * specs over the same results produce the same {@code summary.json}. Stored as {@code campaign.json} so that
 * {@code --resume} goes on with the same campaign.
 *
 * @param scenarioFile the scenario path as given on the command line (it appears in replay commands)
 * @param scenarioSha256 hash of the scenario's text
 * @param runs for {@link Mode#RUNS}: seeds 1..runs
 * @param deviceHours for {@link Mode#DEVICE_HOURS}: each variant v takes seeds 1..N_v, N_v the smallest such that
 *     v's exposure over seeds 1..N_v reaches this many device-hours ({@link SeedSelection})
 * @param variants the variant overrides, in order ({@code raw}, {@code safe})
 * @param coverage whether runs record error-path coverage and the summary reports it ({@code --coverage}); part of
 *     what the campaign measures, so a coverage campaign has its own id (its results carry more than a plain one's)
 */
public record CampaignSpec(String scenarioFile, String scenarioName, String scenarioSha256, Mode mode, long runs,
    double deviceHours, List<Variant> variants, boolean coverage) {

  /** How the seed set is chosen. */
  public enum Mode {
    RUNS("runs"), DEVICE_HOURS("device-hours");

    private final String word;

    Mode(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }

    static Mode parse(String word) {
      for (Mode m : values()) {
        if (m.word.equals(word)) return m;
      }
      throw new IllegalArgumentException("unknown mode " + word);
    }
  }

  public static final long NANOS_PER_HOUR = 3_600_000_000_000L;

  public CampaignSpec(String scenarioFile, String scenarioName, String scenarioSha256, Mode mode, long runs,
      double deviceHours, List<Variant> variants) {
    this(scenarioFile, scenarioName, scenarioSha256, mode, runs, deviceHours, variants, false);
  }

  /** The same campaign with error-path coverage on or off. */
  public CampaignSpec withCoverage(boolean on) {
    return new CampaignSpec(scenarioFile, scenarioName, scenarioSha256, mode, runs, deviceHours, variants, on);
  }

  public CampaignSpec {
    variants = List.copyOf(variants);
    if (variants.isEmpty()) throw new IllegalArgumentException("a campaign needs at least one variant");
    if (mode == Mode.RUNS && runs < 1) throw new IllegalArgumentException("--runs must be at least 1, got " + runs);
    if (mode == Mode.DEVICE_HOURS && !(deviceHours > 0)) {
      throw new IllegalArgumentException("--device-hours must be positive, got " + deviceHours);
    }
  }

  public static CampaignSpec ofRuns(String file, String name, String sha256, long runs, List<Variant> variants) {
    return new CampaignSpec(file, name, sha256, Mode.RUNS, runs, 0, variants);
  }

  public static CampaignSpec ofDeviceHours(String file, String name, String sha256, double hours,
      List<Variant> variants) {
    return new CampaignSpec(file, name, sha256, Mode.DEVICE_HOURS, 0, hours, variants);
  }

  /** The device-hours target in nanoseconds of exposure. */
  public long targetExposureNanos() {
    return Math.round(deviceHours * NANOS_PER_HOUR);
  }

  /**
   * A stable id: the hash of what the campaign runs — scenario and variants, not the target. A resume that raises
   * the target keeps the id, so a cluster's journal still holds the runs it recorded for the campaign (a result
   * the client had not written to results.jsonl yet comes back from there instead of being run again).
   */
  public String campaignId() {
    ObjectNode n = toJson();
    n.remove(List.of("mode", "runs", "device_hours"));
    return sha256(n.toString()).substring(0, 16);
  }

  /** The same campaign with another target (to extend it on resume). */
  public CampaignSpec withTarget(Mode m, long n, double hours) {
    return new CampaignSpec(scenarioFile, scenarioName, scenarioSha256, m, m == Mode.RUNS ? n : 0,
        m == Mode.DEVICE_HOURS ? hours : 0, variants, coverage);
  }

  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("scenario_file", scenarioFile);
    n.put("scenario_name", scenarioName);
    n.put("scenario_sha256", scenarioSha256);
    n.put("mode", mode.word());
    if (mode == Mode.RUNS) n.put("runs", runs);
    else n.put("device_hours", deviceHours);
    n.putArray("variants").addAll(variants.stream().map(v -> JsonNodeFactory.instance.textNode(v.toString())).toList());
    if (coverage) n.put("error_path_coverage", true); // absent otherwise: older campaign.json files read the same
    return n;
  }

  public static CampaignSpec fromJson(JsonNode n) {
    List<Variant> variants = new ArrayList<>();
    for (JsonNode v : n.path("variants")) {
      try {
        variants.add(Variant.parse(v.asText()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("field variants: " + e.getMessage());
      }
    }
    Mode mode = Mode.parse(n.path("mode").asText());
    return new CampaignSpec(n.path("scenario_file").asText(), n.path("scenario_name").asText(),
        n.path("scenario_sha256").asText(), mode, n.path("runs").asLong(0), n.path("device_hours").asDouble(0),
        variants, n.path("error_path_coverage").asBoolean(false));
  }

  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
