package dev.devemu.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.devemu.kernel.Variant;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A campaign's output folder: the one place that knows its files and the rules for starting and resuming it.
 *
 * <pre>
 * DIR/campaign.json    what the campaign measures (CampaignSpec)
 * DIR/scenario.conf    the scenario's text as it was when the campaign started
 * DIR/results.jsonl    one RunRecord per finished run, appended as runs finish (ResultLog): the only copy of
 *                      the results on disk, whatever the backend
 * DIR/summary.json     results only (byte-identical for two campaigns over the same runs)
 * DIR/report.html      the comparison table and plots, self-contained
 * DIR/run-info.json    when, where and how fast (one entry per session)
 * DIR/backend.json     where the runs execute, so that --resume goes on the same way
 * DIR/journal/         left by versions that journaled the embedded cluster's results on disk; no longer written
 *                      (the embedded cluster keeps its journal in memory, results.jsonl is the record)
 * DIR/campaign.lock    locked while a process works in the folder ({@link #lock})
 * </pre>
 *
 * Resume rules ({@link #resume}): the scenario must be the one the campaign started with (its saved text unchanged,
 * and the same as a SCENARIO given again), a variant given again must be the campaign's, and a new target
 * (--runs / --device-hours) replaces the old one. A new campaign ({@link #create}) refuses a folder that holds one.
 */
public final class CampaignFolder {
  public static final String SPEC_FILE = "campaign.json";
  public static final String SCENARIO_FILE = "scenario.conf";
  public static final String RESULTS_FILE = ResultLog.FILE;
  public static final String SUMMARY_FILE = "summary.json";
  public static final String REPORT_FILE = "report.html";
  public static final String RUN_INFO_FILE = RunInfo.FILE;
  public static final String BACKEND_FILE = "backend.json";
  public static final String JOURNAL_DIR = "journal";
  public static final String LOCK_FILE = "campaign.lock";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final CampaignSpec spec;
  private final String scenarioSource;

  private CampaignFolder(Path dir, CampaignSpec spec, String scenarioSource) {
    this.dir = dir;
    this.spec = spec;
    this.scenarioSource = scenarioSource;
  }

  /**
   * A new campaign in {@code dir} (written by {@link #writeSetup()} when it starts).
   *
   * @throws CampaignException if {@code dir} already holds a campaign
   */
  public static CampaignFolder create(Path dir, CampaignSpec spec, String scenarioSource) {
    if (Files.exists(dir.resolve(SPEC_FILE))) {
      throw new CampaignException(dir + " already holds a campaign: go on with --resume " + dir
          + ", or choose another --out");
    }
    return new CampaignFolder(dir, spec, scenarioSource);
  }

  /** What a {@code --resume} may say again or change; null fields say nothing. */
  public record ResumeRequest(Path scenarioFile, Variant variant, Long runs, Double deviceHours) {}

  /**
   * The campaign in {@code dir}, with the target of {@code request} if it gives one.
   *
   * @throws CampaignException if {@code dir} holds no campaign, its scenario changed, or the request contradicts it
   */
  public static CampaignFolder resume(Path dir, ResumeRequest request) throws IOException {
    CampaignSpec spec = readSpec(dir);
    String source = Files.readString(dir.resolve(SCENARIO_FILE), StandardCharsets.UTF_8);
    if (!CampaignSpec.sha256(source).equals(spec.scenarioSha256())) {
      throw new CampaignException(dir.resolve(SCENARIO_FILE) + ": changed since the campaign started");
    }
    if (request.scenarioFile() != null) {
      if (!Files.exists(request.scenarioFile())) throw new CampaignException(request.scenarioFile() + ": no such file");
      // the text the campaign was started with: its includes merged in, as the folder keeps it
      String given = dev.devemu.scenario.ScenarioLoader.load(request.scenarioFile()).source();
      if (!given.equals(source)) {
        throw new CampaignException(request.scenarioFile() + " differs from the scenario the campaign in " + dir
            + " started with");
      }
    }
    if (request.variant() != null && !spec.variants().equals(List.of(request.variant()))) {
      throw new CampaignException("--variant " + request.variant() + " contradicts the campaign's variants "
          + spec.variants());
    }
    if (request.runs() != null) spec = spec.withTarget(CampaignSpec.Mode.RUNS, request.runs(), 0);
    if (request.deviceHours() != null) spec = spec.withTarget(CampaignSpec.Mode.DEVICE_HOURS, 0, request.deviceHours());
    return new CampaignFolder(dir, spec, source);
  }

  /**
   * Reads the spec of a campaign folder.
   *
   * @throws CampaignException if the folder holds no campaign
   */
  public static CampaignSpec readSpec(Path dir) throws IOException {
    Path file = dir.resolve(SPEC_FILE);
    if (!Files.exists(file) || !Files.exists(dir.resolve(SCENARIO_FILE))) {
      throw new CampaignException(dir + ": not a campaign folder (no " + SPEC_FILE + " and " + SCENARIO_FILE + ")");
    }
    try {
      return CampaignSpec.fromJson(JSON.readTree(file.toFile()));
    } catch (IOException | IllegalArgumentException e) {
      throw new CampaignException(file + ": not a campaign spec (" + e.getMessage() + ")");
    }
  }

  public Path dir() {
    return dir;
  }

  public CampaignSpec spec() {
    return spec;
  }

  public String scenarioSource() {
    return scenarioSource;
  }

  public Path file(String name) {
    return dir.resolve(name);
  }

  /**
   * Locks the folder for this process (creating it if needed) until the returned handle is closed. Two processes on
   * one folder would both append results.
   *
   * @throws CampaignException if another process (or this one) holds the folder
   */
  public AutoCloseable lock() throws IOException {
    return lock(dir);
  }

  public static AutoCloseable lock(Path dir) throws IOException {
    Files.createDirectories(dir);
    java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir.resolve(LOCK_FILE),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
    java.nio.channels.FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new CampaignException(dir + ": another devemu campaign is running in this folder");
    }
    java.nio.channels.FileLock held = lock;
    return () -> {
      held.release();
      channel.close();
    };
  }

  /** Writes {@code campaign.json} and, the first time, {@code scenario.conf}. */
  public void writeSetup() throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(SPEC_FILE), CampaignSummary.render(spec.toJson()), StandardCharsets.UTF_8);
    Path scenario = dir.resolve(SCENARIO_FILE);
    if (!Files.exists(scenario)) Files.writeString(scenario, scenarioSource, StandardCharsets.UTF_8);
  }

  /** Opens {@code results.jsonl} (see {@link ResultLog#open}). */
  public ResultLog openResults() throws IOException {
    return ResultLog.open(dir);
  }

  /** Writes {@code summary.json} and {@code report.html}. */
  public void writeSummary(CampaignSummary summary) throws IOException {
    summary.write(dir.resolve(SUMMARY_FILE));
    ReportHtml.write(dir.resolve(REPORT_FILE), summary);
  }

  public void appendRunInfo(RunInfo.Session session) throws IOException {
    RunInfo.append(dir, session);
  }

  /** Where the runs execute: a backend word and, for a remote cluster, its doors. */
  public record BackendRecord(String backend, String cluster) {}

  public void writeBackend(BackendRecord record) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("backend", record.backend());
    if (record.cluster() != null) n.put("cluster", record.cluster());
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(BACKEND_FILE),
        JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(n), StandardCharsets.UTF_8);
  }

  /**
   * How the campaign ran last, or null if the folder does not say.
   *
   * @throws CampaignException if the file is there but not JSON
   */
  public BackendRecord readBackend() throws IOException {
    Path file = dir.resolve(BACKEND_FILE);
    if (!Files.exists(file)) return null;
    JsonNode n;
    try {
      n = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new CampaignException(file + ": not a backend record (" + e.getMessage() + ")");
    }
    return new BackendRecord(n.path("backend").asText(), n.hasNonNull("cluster") ? n.get("cluster").asText() : null);
  }
}
