package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.devemu.campaign.CampaignFolder;
import dev.devemu.campaign.ResultLog;
import dev.devemu.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;

/**
 * What the cluster tests compare with: the single-node campaign of the same seeds — the default {@code campaign}
 * command, on its embedded single-node cluster — and the checks that a campaign folder written through a cluster
 * holds the same results, each key once.
 */
final class SingleNodeCampaign {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Small, but each run takes long enough (tens of ms) that a kill lands in the middle of the campaign. */
  static final String SCENARIO = """
      scenario { name = "cluster-race", duration = 40ms }
      machine { cpus = 2, lookahead = 50us }
      devices = [ { type = sample-pcie, slot = "0000:00:02.0", interrupt-rate = 100000 } ]
      drivers = [ { name = my_pcie, variant = raw } ]
      faults { events = [ { at = 25ms, action = surprise-unplug, slot = "0000:00:02.0" } ] }
      """;

  private SingleNodeCampaign() {}

  /**
   * Writes the scenario as {@code dir/NAME.conf}. The file's path is part of the campaign's id, so each test that
   * writes its own file has its own campaign on a shared cluster.
   */
  static Path scenario(Path dir, String name) throws Exception {
    Path p = dir.resolve(name + ".conf");
    Files.writeString(p, SCENARIO);
    return p;
  }

  /** What {@code ./devemu ARGS} printed and returned. */
  record Cli(int code, String out, String err) {}

  static Cli devemu(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.execute(new CommandLine(new Main()), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** {@code ./devemu ARGS} on a thread of its own (a campaign that the test disturbs while it runs). */
  static CompletableFuture<Cli> devemuInBackground(String... args) {
    CompletableFuture<Cli> done = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        done.complete(devemu(args));
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    }, "devemu-campaign");
    t.setDaemon(true);
    t.start();
    return done;
  }

  /** The single-node campaign: {@code ./devemu campaign SCENARIO --runs N --out OUT} (the embedded default). */
  static Path run(Path scenario, int seeds, Path out) {
    Cli r = devemu("campaign", scenario.toString(), "--runs", String.valueOf(seeds), "--out", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("embedded cluster"), r.out());
    return out;
  }

  /** The id the campaign of this folder has on a cluster. */
  static String campaignId(Path folder) throws Exception {
    return CampaignFolder.readSpec(folder).campaignId();
  }

  /**
   * The campaign in {@code folder} equals the single-node one: {@code summary.json} byte for byte, the same result
   * lines, every key of seeds 1..N in both variants exactly once in {@code results.jsonl}; and some runs oops
   * (raw) while others do not (safe), so the comparison has something to compare.
   */
  static void assertSameAs(Path single, Path folder, int seeds) throws Exception {
    List<String> lines = Files.readAllLines(folder.resolve(ResultLog.FILE));
    Set<String> keys = new HashSet<>();
    long panics = 0;
    for (String line : lines) {
      JsonNode n = JSON.readTree(line);
      assertTrue(keys.add(n.get("seed").asLong() + "/" + n.get("variant").asText()), "a key twice: " + line);
      if (n.get("outcome").asText().equals("panic")) panics++;
    }
    assertTrue(panics > 0 && panics < lines.size(), "some runs should oops, not all: " + panics);
    for (int seed = 1; seed <= seeds; seed++) {
      for (String v : List.of("raw", "safe")) {
        assertTrue(keys.contains(seed + "/" + v), "no result for " + seed + "/" + v);
      }
    }
    assertEquals(2 * seeds, lines.size(), "results for keys outside the campaign");
    assertEquals(sorted(single), sorted(folder), "result lines differ from the single-node campaign");
    assertEquals(Files.readString(single.resolve(CampaignFolder.SUMMARY_FILE)),
        Files.readString(folder.resolve(CampaignFolder.SUMMARY_FILE)), "summary.json differs from the single-node one");
  }

  private static List<String> sorted(Path folder) throws Exception {
    return Files.readAllLines(folder.resolve(ResultLog.FILE)).stream().sorted().toList();
  }
}
