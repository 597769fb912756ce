package dev.devemu.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code devemu campaign} as users meet it: files, resume, --variant, the embedded cluster (the default) against
 * --local, and exit code 2 for every bad input.
 */
class CampaignCommandTest {
  @TempDir
  Path tmp;

  static final String TINY = """
      scenario { name = "tiny", duration = 20ms }
      machine { cpus = 2, lookahead = 50us }
      devices = [ { type = sample-pcie, slot = "0000:00:02.0", interrupt-rate = 1000 } ]
      drivers = [ { name = my_pcie } ]
      faults {
        recurring = [ { action = surprise-unplug, slot = "0000:00:02.0", mean-interval = 15ms, restore-after = 1ms,
                        when = with-irq-pending } ]
      }
      """;

  Path write(String name, String text) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static CliTest.Result devemu(String... args) {
    return CliTest.devemu(args);
  }

  static String summary(Path dir) throws Exception {
    return Files.readString(dir.resolve("summary.json"));
  }

  /** The lines of results.jsonl in key order (the finishing order differs between backends). */
  static List<String> sortedResults(Path dir) throws Exception {
    return Files.readAllLines(dir.resolve("results.jsonl")).stream().sorted().toList();
  }

  /** The default campaign (an embedded single-node cluster, with its journal) resumes on the embedded cluster. */
  @Test
  void aCampaignWritesResultsSummaryAndReportAndResumesWithoutRunningAgain() throws Exception {
    Path scenario = write("tiny.conf", TINY);
    Path out = tmp.resolve("out");
    CliTest.Result r = devemu("campaign", scenario.toString(), "--runs", "4", "--out", out.toString(), "--workers", "2");
    assertEquals(ExitCodes.OK, r.code(), r.err());
    assertTrue(r.out().contains("reduction safe vs raw (my_pcie)"), r.out());
    assertTrue(r.out().contains("8 executed now"), r.out());
    for (String f : List.of("results.jsonl", "summary.json", "report.html", "run-info.json")) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
    assertEquals(8, Files.readAllLines(out.resolve("results.jsonl")).size());
    assertTrue(r.out().contains("embedded cluster, 2 lanes"), r.out());
    // Each result is written once, to results.jsonl: the embedded cluster's journal is in memory.
    assertFalse(Files.exists(out.resolve("journal")), "the embedded cluster wrote a journal next to results.jsonl");
    assertTrue(Files.readString(out.resolve("backend.json")).contains("embedded-cluster"));
    String summary = Files.readString(out.resolve("summary.json"));
    assertTrue(summary.contains("\"replay\": \"./devemu run " + scenario + " --seed "), summary);

    CliTest.Result again = devemu("campaign", "--resume", out.toString());
    assertEquals(ExitCodes.OK, again.code(), again.err());
    assertTrue(again.out().contains("0 executed now, 8 from earlier sessions"), again.out());
    assertEquals(summary, Files.readString(out.resolve("summary.json")));

    CliTest.Result more = devemu("campaign", "--resume", out.toString(), "--runs", "5");
    assertEquals(ExitCodes.OK, more.code(), more.err());
    assertTrue(more.out().contains("2 executed now"), "raising the target runs only the new seed: " + more.out());
    assertTrue(more.out().contains("embedded cluster"), "resumed the way it ran: " + more.out());
    assertEquals(10, sortedResults(out).stream().distinct().count());
    assertEquals(10, Files.readAllLines(out.resolve("results.jsonl")).size());

    CliTest.Result local = devemu("campaign", "--resume", out.toString(), "--runs", "6", "--local");
    assertEquals(ExitCodes.OK, local.code(), local.err());
    assertTrue(local.out().contains("local, ") && local.out().contains("2 executed now"), local.out());
    assertTrue(Files.readString(out.resolve("backend.json")).contains("\"local\""), "the folder records the switch");
  }

  /**
   * The embedded cluster is the engine by default; --local runs the same runs on plain threads. Both write the same
   * summary.json, byte for byte, and the same result lines, whether the seeds are given or follow from a
   * device-hours target (waves, and a target reached while runs are still under way).
   */
  @Test
  void theEmbeddedClusterAndLocalThreadsWriteTheSameSummaryByteForByte() throws Exception {
    Path scenario = write("tiny.conf", TINY);
    for (List<String> target : List.of(List.of("--runs", "5"), List.of("--device-hours", "0.00005"))) {
      Path local = tmp.resolve("local" + target.get(0));
      Path embedded = tmp.resolve("embedded" + target.get(0));
      List<String> common = new java.util.ArrayList<>(List.of("campaign", scenario.toString()));
      common.addAll(target);
      common.addAll(List.of("--workers", "2", "--out"));
      CliTest.Result l = devemu(concat(common, local.toString(), "--local"));
      assertEquals(ExitCodes.OK, l.code(), l.err());
      CliTest.Result e = devemu(concat(common, embedded.toString()));
      assertEquals(ExitCodes.OK, e.code(), e.err());
      assertTrue(e.out().contains("embedded cluster"), e.out());
      assertFalse(Files.exists(local.resolve("journal")), "--local keeps no journal");
      assertEquals(summary(local), summary(embedded), String.join(" ", target));
      assertTrue(summary(local).contains("\"complete\": true"), summary(local));
      // Seeds beyond a variant's last counted one may have run on either side (started in parallel); the counted
      // ones match.
      java.util.Map<String, Long> last = new java.util.HashMap<>();
      for (var v : new com.fasterxml.jackson.databind.ObjectMapper().readTree(summary(local)).path("selection")
          .path("seeds")) {
        last.put(v.path("variant").asText(), v.path("last_seed").asLong());
      }
      assertEquals(java.util.Set.of("raw", "safe"), last.keySet(), summary(local));
      assertTrue(last.values().stream().allMatch(n -> n >= 5), summary(local));
      assertEquals(counted(local, last), counted(embedded, last));
      for (Path dir : List.of(local, embedded)) {
        List<String> lines = Files.readAllLines(dir.resolve("results.jsonl"));
        assertEquals(lines.size(), lines.stream().map(CampaignCommandTest::key).distinct().count(), "a key twice");
      }
    }
  }

  /** Result lines of each variant's seeds 1..last, in key order. */
  static List<String> counted(Path dir, java.util.Map<String, Long> last) throws Exception {
    return sortedResults(dir).stream().filter(l -> {
      String[] k = key(l).split("/");
      return Long.parseLong(k[0]) <= last.get(k[1]);
    }).toList();
  }

  static String[] concat(List<String> head, String... tail) {
    List<String> all = new java.util.ArrayList<>(head);
    all.addAll(List.of(tail));
    return all.toArray(String[]::new);
  }

  static String key(String resultLine) {
    try {
      var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(resultLine);
      return n.get("seed").asLong() + "/" + n.get("variant").asText();
    } catch (java.io.IOException e) {
      throw new AssertionError(resultLine, e);
    }
  }

  @Test
  void variantRunsOnlyThatVariant() throws Exception {
    Path out = tmp.resolve("raw-only");
    CliTest.Result r = devemu("campaign", write("tiny.conf", TINY).toString(), "--runs", "3", "--variant", "raw",
        "--out", out.toString(), "--workers", "1", "--local");
    assertEquals(ExitCodes.OK, r.code(), r.err());
    List<String> lines = Files.readAllLines(out.resolve("results.jsonl"));
    assertEquals(3, lines.size());
    assertTrue(lines.stream().allMatch(l -> l.contains("\"variant\":\"raw\"")), lines.toString());
    assertFalse(r.out().contains("reduction"), "nothing to compare with one variant");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "negative rate | mean-interval = 15ms | mean-interval = -15ms | faults.recurring[0].mean-interval",
      "event after the end | recurring = [ | events = [ { at = 1s, action = unplug, slot = \"0000:00:02.0\" } ]\\n recurring = [ | faults.events[0].at",
      "unknown key | mean-interval = 15ms | mean-intervall = 15ms | faults.recurring[0].mean-intervall",
      "wrong type | mean-interval = 15ms | mean-interval = often | faults.recurring[0].mean-interval",
      "fault on an empty slot | slot = \"0000:00:02.0\", mean | slot = \"0000:00:07.0\", mean | faults.recurring[0].slot",
      "impossible moment | when = with-irq-pending | when = while-open | faults.recurring[0].when",
      "too many CPUs | cpus = 2 | cpus = 100 | machine.cpus"})
  void badScenarioFilesExitTwoWithFileLineAndKey(String kind, String from, String to, String key) throws Exception {
    String text = TINY.replace(from, to.replace("\\n", "\n"));
    assertNotEquals(TINY, text, kind);
    Path bad = write("bad.conf", text);
    CliTest.Result r = devemu("campaign", bad.toString(), "--runs", "1", "--out", tmp.resolve("o").toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code(), kind + ": " + r.err());
    assertTrue(r.err().matches("(?s)devemu: " + java.util.regex.Pattern.quote(bad.toString()) + ":\\d+: "
        + java.util.regex.Pattern.quote(key) + ": .*"), kind + ": " + r.err());
    assertFalse(Files.exists(tmp.resolve("o").resolve("results.jsonl")), "nothing ran");
  }

  @Test
  void badCommandLinesExitTwo() throws Exception {
    Path scenario = write("tiny.conf", TINY);
    Path out = tmp.resolve("out");
    assertEquals(ExitCodes.BAD_INPUT, devemu("campaign").code());
    assertEquals(ExitCodes.BAD_INPUT, devemu("campaign", scenario.toString(), "--runs", "2", "--device-hours", "1").code());
    assertEquals(ExitCodes.BAD_INPUT, devemu("campaign", scenario.toString(), "--runs", "0").code());
    assertEquals(ExitCodes.BAD_INPUT, devemu("campaign", scenario.toString(), "--device-hours", "-3").code());
    CliTest.Result badVariant = devemu("campaign", scenario.toString(), "--variant", "unsafe");
    assertEquals(ExitCodes.BAD_INPUT, badVariant.code());
    assertTrue(badVariant.err().contains("unknown variant \"unsafe\" (use raw or safe)"), badVariant.err());
    assertEquals(ExitCodes.BAD_INPUT, devemu("campaign", tmp.resolve("missing.conf").toString()).code());
    CliTest.Result notACampaign = devemu("campaign", "--resume", tmp.toString());
    assertEquals(ExitCodes.BAD_INPUT, notACampaign.code());
    assertTrue(notACampaign.err().contains("not a campaign folder"), notACampaign.err());

    assertEquals(ExitCodes.OK, devemu("campaign", scenario.toString(), "--runs", "1", "--variant", "safe", "--out",
        out.toString(), "--workers", "1", "--local").code());
    CliTest.Result exists = devemu("campaign", scenario.toString(), "--runs", "1", "--out", out.toString());
    assertEquals(ExitCodes.BAD_INPUT, exists.code());
    assertTrue(exists.err().contains("already holds a campaign: go on with --resume"), exists.err());
    Path changed = write("changed.conf", TINY.replace("interrupt-rate = 1000", "interrupt-rate = 999"));
    assertEquals(ExitCodes.BAD_INPUT, devemu("campaign", changed.toString(), "--resume", out.toString()).code());
    assertEquals(ExitCodes.BAD_INPUT, devemu("campaign", "--resume", out.toString(), "--variant", "raw").code());

    try (AutoCloseable running = dev.devemu.campaign.CampaignFolder.lock(out)) {
      CliTest.Result busy = devemu("campaign", "--resume", out.toString(), "--runs", "2", "--local");
      assertEquals(ExitCodes.BAD_INPUT, busy.code());
      assertTrue(busy.err().contains("another devemu campaign is running in this folder"), busy.err());
    }

    // where the runs execute
    Path fresh = tmp.resolve("fresh");
    assertEquals(ExitCodes.BAD_INPUT, devemu("campaign", scenario.toString(), "--out", fresh.toString(), "--local",
        "--cluster", "127.0.0.1:8558").code());
    CliTest.Result noPort =
        devemu("campaign", scenario.toString(), "--out", fresh.toString(), "--cluster", "localhost");
    assertEquals(ExitCodes.BAD_INPUT, noPort.code());
    assertTrue(noPort.err().contains("--cluster wants HOST:PORT, got localhost"), noPort.err());
    CliTest.Result workers = devemu("campaign", scenario.toString(), "--out", fresh.toString(), "--workers", "2",
        "--cluster", "127.0.0.1:8558");
    assertEquals(ExitCodes.BAD_INPUT, workers.code());
    assertTrue(workers.err().contains("--workers does not apply to --cluster"), workers.err());
    assertFalse(Files.exists(fresh), "nothing written for a bad command line");
  }

  /** Nobody answers at the cluster's address: a clear error after a bounded wait, exit 1, and no folder. */
  @Test
  void anUnreachableClusterExitsOneAfterABoundedWait() throws Exception {
    Path scenario = write("tiny.conf", TINY);
    Path out = tmp.resolve("nowhere");
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    java.time.Duration wait = CampaignCommand.clusterConnectWait;
    CampaignCommand.clusterConnectWait = java.time.Duration.ofSeconds(1);
    try {
      CliTest.Result r = devemu("campaign", scenario.toString(), "--runs", "1", "--out", out.toString(), "--cluster",
          "127.0.0.1:" + closedPort);
      assertEquals(ExitCodes.INTERNAL, r.code(), r.err());
      assertTrue(r.err().contains("devemu: cluster 127.0.0.1:" + closedPort + ": no answer from 127.0.0.1:"
          + closedPort + " within 1 s (127.0.0.1:" + closedPort + ": connection refused)"), r.err());
    } finally {
      CampaignCommand.clusterConnectWait = wait;
    }
    assertFalse(Files.exists(out), "nothing written when the cluster is not there");
  }
}
