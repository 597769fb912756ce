package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.devemu.campaign.CampaignRun;
import dev.devemu.campaign.RunKey;
import dev.devemu.campaign.RunRecord;
import dev.devemu.kernel.ErrorPaths;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.SimHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code campaign --coverage}: the drivers' error-path coverage aggregated over a campaign into summary.json and
 * report.html, byte-identical whether the runs execute on threads of this JVM ({@code --local}), on the embedded
 * cluster, or on a cluster behind its HTTP door; its figures are the sums of the runs' own records, each site's
 * example run shows that error path when run alone, and recording it changes no run.
 */
class CampaignCoverageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** request_irq fails in some probes and pci_iomap in others, so some error paths run and others never do. */
  static final String SCENARIO = """
      scenario { name = "coverage", duration = 15ms }
      machine { cpus = 2, lookahead = 50us }
      devices = [ { type = sample-pcie, slot = "0000:00:02.0", interrupt-rate = 2000 } ]
      drivers = [ { name = my_pcie } ]
      faults {
        probability { request_irq = 0.5, pci_iomap = 0.25 }
        events = [ { at = 10ms, action = surprise-unplug, slot = "0000:00:02.0" } ]
      }
      """;
  static final int SEEDS = 4;

  @TempDir
  Path tmp;

  @Test
  void everyBackendWritesTheSameCoverageAndItComesFromTheRuns() throws Exception {
    Path scenario = tmp.resolve("coverage.conf");
    Files.writeString(scenario, SCENARIO);
    String seeds = String.valueOf(SEEDS);

    Path local = tmp.resolve("local");
    SingleNodeCampaign.Cli l = SingleNodeCampaign.devemu("campaign", scenario.toString(), "--runs", seeds, "--out",
        local.toString(), "--local", "--workers", "2", "--coverage");
    assertEquals(0, l.code(), l.out() + l.err());
    Path embedded = tmp.resolve("embedded");
    SingleNodeCampaign.Cli e = SingleNodeCampaign.devemu("campaign", scenario.toString(), "--runs", seeds, "--out",
        embedded.toString(), "--coverage");
    assertEquals(0, e.code(), e.out() + e.err());
    Path door = tmp.resolve("door");
    try (EmbeddedCluster cluster = EmbeddedCluster.start(tmp.resolve("node"), 2, ClusterCampaigns.Options.defaults())) {
      SingleNodeCampaign.Cli c = SingleNodeCampaign.devemu("campaign", scenario.toString(), "--runs", seeds, "--out",
          door.toString(), "--cluster", cluster.door(), "--token-file", cluster.tokenFile().toString(), "--coverage");
      assertEquals(0, c.code(), c.out() + c.err());
    }
    String summary = Files.readString(local.resolve("summary.json"));
    assertEquals(summary, Files.readString(embedded.resolve("summary.json")), "embedded cluster differs from --local");
    assertEquals(summary, Files.readString(door.resolve("summary.json")), "cluster behind its door differs");
    assertEquals(Files.readString(local.resolve("report.html")), Files.readString(door.resolve("report.html")));

    // The table a person sees, and the report's section.
    assertTrue(l.out().contains("error-path coverage over " + 2 * SEEDS + " runs"), l.out());
    assertTrue(l.out().matches("(?s).*my_pcie/raw: \\d+ of \\d+ error paths ran.*"), l.out());
    assertTrue(Files.readString(local.resolve("report.html")).contains("<h2>Error-path coverage</h2>"));

    JsonNode cov = JSON.readTree(summary).get("error_path_coverage");
    assertNotNull(cov, summary);
    assertEquals(2 * SEEDS, cov.get("runs").asInt());

    // Every figure is the sum of what the runs recorded in results.jsonl.
    Map<String, long[]> fromRuns = new HashMap<>();
    for (String line : Files.readAllLines(local.resolve("results.jsonl"))) {
      JsonNode run = JSON.readTree(line);
      assertTrue(run.has("error_paths"), "a coverage campaign's run without its coverage: " + line);
      for (JsonNode s : run.get("error_paths")) {
        long[] acc = fromRuns.computeIfAbsent(key(s), k -> new long[2]);
        acc[0] += s.get("calls").asLong();
        acc[1] += s.get("errors").asLong();
      }
    }
    assertEquals(fromRuns.size(), cov.get("sites").size(), "one row per site any run reached");
    List<JsonNode> ran = new ArrayList<>();
    boolean someNeverRan = false;
    for (JsonNode s : cov.get("sites")) {
      long[] acc = fromRuns.get(key(s));
      assertNotNull(acc, "a site no run recorded: " + s);
      assertEquals(acc[0], s.get("calls").asLong(), s.toString());
      assertEquals(acc[1], s.get("errors").asLong(), s.toString());
      assertEquals(acc[1] > 0, s.get("error_path_ran").asBoolean(), s.toString());
      if (acc[1] > 0) ran.add(s);
      else someNeverRan = true;
    }
    assertTrue(someNeverRan, "some error path (pci_enable_device's, say) never runs in this scenario: " + cov);
    assertTrue(ran.stream().anyMatch(s -> s.get("call").asText().equals("request_irq")
        && s.get("variant").asText().equals("raw")), "raw's request_irq error path ran: " + cov);
    for (JsonNode share : cov.get("drivers")) {
      long sites = 0;
      long covered = 0;
      for (JsonNode s : cov.get("sites")) {
        if (!s.get("driver").asText().equals(share.get("driver").asText())
            || !s.get("variant").asText().equals(share.get("variant").asText())) continue;
        sites++;
        if (s.get("error_path_ran").asBoolean()) covered++;
      }
      assertEquals(sites, share.get("sites").asLong(), share.toString());
      assertEquals(covered, share.get("error_paths_ran").asLong(), share.toString());
    }

    // Each example is a run that, run alone, takes that error path.
    var base = ScenarioLoader.parse(scenario.toString(), SCENARIO);
    try (SimHost host = SimHost.start("coverage-example", 1)) {
      for (JsonNode s : ran) {
        JsonNode ex = s.get("example");
        assertEquals("./devemu run " + scenario + " --seed " + ex.get("seed").asLong() + " --variant "
            + ex.get("variant").asText(), ex.get("replay").asText());
        RunRecord alone = CampaignRun.record(host, 0, base, new RunKey(ex.get("seed").asLong(),
            dev.devemu.kernel.Variant.parse(ex.get("variant").asText())),
            0, "example", true);
        ErrorPaths.Counts counts = alone.errorPaths().get(new ErrorPaths.Site(s.get("driver").asText(),
            s.get("variant").asText(), s.get("call").asText(), s.get("site").asText()));
        assertNotNull(counts, "the example run does not reach " + s);
        assertTrue(counts.errors() > 0, "the example run does not take the error path of " + s);
      }
    }
  }

  /** Without --coverage nothing changes; with it, the runs are the same runs (only their coverage is added). */
  @Test
  void coverageChangesNoRunAndIsAbsentWithoutTheFlag() throws Exception {
    Path scenario = tmp.resolve("coverage.conf");
    Files.writeString(scenario, SCENARIO);
    Path plain = tmp.resolve("plain");
    Path covered = tmp.resolve("covered");
    assertEquals(0, SingleNodeCampaign.devemu("campaign", scenario.toString(), "--runs", "3", "--out",
        plain.toString(), "--local").code());
    assertEquals(0, SingleNodeCampaign.devemu("campaign", scenario.toString(), "--runs", "3", "--out",
        covered.toString(), "--local", "--coverage").code());
    String plainSummary = Files.readString(plain.resolve("summary.json"));
    assertFalse(plainSummary.contains("error_path"), plainSummary);
    assertFalse(Files.readString(plain.resolve("results.jsonl")).contains("error_paths"));
    assertFalse(Files.readString(plain.resolve("report.html")).contains("Error-path coverage"));
    assertFalse(Files.readString(plain.resolve("campaign.json")).contains("error_path_coverage"));

    List<String> stripped = new ArrayList<>();
    for (String line : Files.readAllLines(covered.resolve("results.jsonl"))) {
      var n = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line);
      assertNotNull(n.remove("error_paths"), line);
      stripped.add(JSON.writeValueAsString(n));
    }
    assertEquals(Files.readAllLines(plain.resolve("results.jsonl")).stream().sorted().toList(),
        stripped.stream().sorted().toList(), "recording coverage changed a run");
    // and the summaries differ only by the coverage section
    var c = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(covered.resolve("summary.json").toFile());
    assertNotNull(c.remove("error_path_coverage"));
    assertEquals(JSON.readTree(plainSummary), c);

    // A campaign without coverage cannot be resumed into one: its runs did not record it.
    SingleNodeCampaign.Cli r = SingleNodeCampaign.devemu("campaign", "--resume", plain.toString(), "--coverage",
        "--local");
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("does not record error-path coverage"), r.err());
    // a coverage campaign resumes as one without saying it again
    SingleNodeCampaign.Cli more = SingleNodeCampaign.devemu("campaign", "--resume", covered.toString(), "--runs", "4",
        "--local");
    assertEquals(0, more.code(), more.out() + more.err());
    assertEquals(8, JSON.readTree(covered.resolve("summary.json").toFile()).get("error_path_coverage").get("runs")
        .asInt());
  }

  /** {@code kunit --coverage --campaign DIR}: per site, whether its error path ran under kunit, the campaign, or both. */
  @Test
  void kunitAndACampaignSideBySide() throws Exception {
    Path scenario = tmp.resolve("coverage.conf");
    Files.writeString(scenario, SCENARIO);
    Path dir = tmp.resolve("c");
    assertEquals(0, SingleNodeCampaign.devemu("campaign", scenario.toString(), "--runs", "2", "--out", dir.toString(),
        "--local", "--variant", "raw", "--coverage").code());
    JsonNode sites = JSON.readTree(dir.resolve("summary.json").toFile()).get("error_path_coverage").get("sites");
    SingleNodeCampaign.Cli k = SingleNodeCampaign.devemu("kunit", "my_pcie", "--variant", "raw", "--filter",
        "my_pcie.bar0_missing*", "--coverage", "--campaign", dir.toString());
    assertTrue(k.out().contains("# error-path coverage under kunit and the campaign (raw"), k.out());
    // pci_enable_device ran in both, and failed in neither: its row names both counts and "never"
    JsonNode enable = null;
    for (JsonNode s : sites) if (s.get("call").asText().equals("pci_enable_device")) enable = s;
    assertNotNull(enable, sites.toString());
    assertTrue(k.out().matches("(?s).*# my_pcie +" + java.util.regex.Pattern.quote(enable.get("site").asText())
        + " +pci_enable_device +0/\\d+ +0/" + enable.get("calls").asLong() + " +never\n.*"), k.out());
    // the campaign's pci_iomap failures (if any) show as "campaign" or "both", never as "never"
    for (JsonNode s : sites) {
      if (!s.get("error_path_ran").asBoolean()) continue;
      assertTrue(k.out().matches("(?s).*# my_pcie +" + java.util.regex.Pattern.quote(s.get("site").asText()) + " +"
          + s.get("call").asText() + " .*(campaign|both)\n.*"), s + "\n" + k.out());
    }
    assertTrue(k.out().contains("# my_pcie/raw: of "), k.out());

    SingleNodeCampaign.Cli plain = SingleNodeCampaign.devemu("kunit", "my_pcie", "--coverage", "--campaign",
        tmp.resolve("none").toString());
    assertEquals(2, plain.code(), plain.err());
    assertTrue(plain.err().contains("none/summary.json: cannot read a campaign summary"), plain.err());
    assertEquals(2, SingleNodeCampaign.devemu("kunit", "my_pcie", "--campaign", dir.toString()).code());
  }

  private static String key(JsonNode s) {
    return s.get("driver").asText() + " " + s.get("variant").asText() + " " + s.get("call").asText() + " "
        + s.get("site").asText();
  }
}
