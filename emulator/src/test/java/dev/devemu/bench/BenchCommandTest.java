package dev.devemu.bench;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.devemu.cli.ExitCodes;
import dev.devemu.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code devemu bench} runs every figure and reports it, with sizes small enough for a test. No timing is asserted:
 * only that each figure is measured, printed on its own line in the documented form, and written to the JSON.
 */
class BenchCommandTest {
  @TempDir
  Path tmp;

  static final String TINY = """
      scenario { name = "tiny-bench", duration = 50ms }
      machine { cpus = 2, lookahead = 20us }
      devices = [ { type = sample-pcie, slot = "0000:00:02.0", interrupt-rate = 2000 } ]
      drivers = [ { name = my_pcie } ]
      faults {
        recurring = [ { action = surprise-unplug, slot = "0000:00:02.0", mean-interval = 30ms, restore-after = 1ms } ]
      }
      """;

  record Result(int code, String out, String err) {}

  static Result devemu(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.execute(new CommandLine(new Main()), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void everyFigureIsMeasuredPrintedOnItsOwnLineAndWrittenAsJson() throws Exception {
    Path scenario = tmp.resolve("tiny.conf");
    Files.writeString(scenario, TINY);
    Path json = tmp.resolve("bench.json");
    Result r = devemu("bench", "--quick", "--scenario", scenario.toString(), "--json", json.toString(),
        "--dispatch-samples", "30", "--heap-pairs", "40", "--campaign-seeds", "2", "--rounds", "1", "--warmup-ms", "0",
        "--serialization-ms", "10", "--usbip-ms", "100");
    assertEquals(ExitCodes.OK, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).matches("det/raw ratio=\\d+\\.\\d\\d det=\\d+ default-dispatcher=\\d+ .*"), lines.get(0));
    // 40 pairs (and 40 actors) make the lines, not figures: a few hundred KiB of heap is within GC noise, so their
    // sign is not checked
    assertTrue(lines.stream().anyMatch(l -> l.matches("heap bytes/actor=-?\\d+ .*")), r.out());
    assertTrue(lines.stream().anyMatch(l -> l.matches("heap bytes/pair=-?\\d+ at 40 pairs \\(40 bound.*")), r.out());
    assertTrue(lines.stream().anyMatch(l -> l.matches("campaign device-hours/s=[\\d.]+ workers=1 \\(tiny-bench, .*")),
        r.out());
    assertTrue(lines.stream().anyMatch(l -> l.matches("campaign device-hours/s=[\\d.]+ workers=2 .*")), r.out());
    assertTrue(lines.stream().anyMatch(l -> l.matches("campaign scaling=[\\d.]+ .*")), r.out());
    for (String m : List.of("MsiWrite", "IrqRaised", "DmaCompleted", "UrbSubmit", "UrbReturned")) {
      assertTrue(lines.stream().anyMatch(l -> l.matches("protobuf " + m + " round-trips/s=\\d+ .*")), m + "\n" + r.out());
    }
    assertTrue(lines.stream().anyMatch(l -> l.matches("usbip round trips .*: [\\d.]+ URB/s, bare TCP [\\d.]+, ratio=.*")),
        r.out());
    assertTrue(lines.stream().anyMatch(l -> l.matches("usbip bulk IN .*: [\\d.]+ MB/s, .*")), r.out());
    assertTrue(lines.get(lines.size() - 1).startsWith("machine: "), r.out());

    JsonNode j = new ObjectMapper().readTree(json.toFile());
    // both sides of figure 1 did the same samples, each counting the deliveries it made
    assertTrue(j.at("/dispatch/deterministicDeliveries").asLong() > 30 * 16);
    assertTrue(j.at("/dispatch/defaultDispatcherDeliveries").asLong() > 30 * 16);
    assertTrue(j.at("/dispatch/ratio").asDouble() > 0);
    assertEquals(40, j.at("/heap/0/pairs").asInt());
    assertEquals(40, j.at("/heap/0/bound").asInt());
    assertEquals(4, j.at("/campaign/runs").asInt());
    assertTrue(j.at("/campaign/deviceHours").asDouble() > 0);
    assertTrue(j.at("/campaign/choicesPerDeviceHour").asDouble() > 0);
    assertTrue(j.at("/campaign/jitSettled").isBoolean(), j.toString());
    assertEquals(5, j.at("/serialization").size());
    assertEquals(4, j.at("/usbip").size());
    assertTrue(j.at("/usbip/0/value").asDouble() > 0, j.toString());
    assertTrue(j.at("/usbip/0/bareTcp").asDouble() > 0, j.toString());
    assertTrue(j.at("/serialization/0/bytes").asInt() > 0);
    assertEquals(Runtime.getRuntime().availableProcessors(), j.at("/machine/cores").asInt());
  }

  @Test
  void aMissingScenarioIsBadInputButOnlyWhenTheCampaignFigureNeedsIt() {
    Result r = devemu("bench", "--only", "campaign", "--scenario", tmp.resolve("nope.conf").toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code());
    assertTrue(r.err().contains("nope.conf: no such file"), r.err());
    Result s = devemu("bench", "--only", "serialization", "--serialization-ms", "10", "--scenario",
        tmp.resolve("nope.conf").toString());
    assertEquals(ExitCodes.OK, s.code(), s.err());
    assertTrue(s.out().startsWith("protobuf MsiWrite round-trips/s="), s.out());
  }

  @Test
  void theBugFigureCountsFindsAndCleanRunsPerStrategyFromRuns() throws Exception {
    Path json = tmp.resolve("bugs.json");
    Result r = devemu("bench", "--only", "bugs", "--bugs-dir", "../scenarios/bugs", "--bug",
        "pcie/leak-on-error-path,char/oob-read", "--bug-seeds", "2", "--bug-strategies", "random,pct:2", "--json",
        json.toString());
    assertEquals(ExitCodes.OK, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    for (String s : List.of("random", "pct:2")) {
      assertTrue(lines.stream().anyMatch(l -> l.matches("bugs " + s + " found=2/2 within 2 seeds, median seeds to "
          + "first report=1\\.0, median CPU s to first report=[\\d.]+; false positives: corrected zoo drivers 0 of 4 "
          + "runs \\(2 not bound\\), safe samples 0 of 4 runs \\(2 not bound; .*")), s + "\n" + r.out());
    }
    JsonNode j = new ObjectMapper().readTree(json.toFile());
    assertEquals(2, j.at("/bugs/knownBugs").asInt());
    // leak-on-error-path's card has a revision no correct driver accepts: those runs tested nothing, counted apart
    assertEquals(2, j.at("/bugs/strategies/0/notBoundRunsZoo").asInt(), j.toString());
    assertEquals(2, j.at("/bugs/strategies/0/notBoundRunsSafeSamples").asInt(), j.toString());
    assertEquals("pcie/leak-on-error-path", j.at("/bugs/strategies/1/bugs/0/id").asText());
    assertTrue(j.at("/bugs/strategies/1/bugs/0/strategy").asText().matches("pct:2:\\d+"), j.toString());
    assertTrue(j.at("/bugs/strategies/0/bugs/1/signature").asText().startsWith("kasan:"), j.toString());

    Result bad = devemu("bench", "--only", "bugs", "--bugs-dir", tmp.toString(), "--bug", "char/oob-read");
    assertEquals(ExitCodes.BAD_INPUT, bad.code());
    assertTrue(bad.err().contains("char-oob-read.conf: no such file"), bad.err());
  }

  @Test
  void theBugFigureTakesSteeredVariantsOfTheStrategies() throws Exception {
    Path json = tmp.resolve("steer.json");
    Result r = devemu("bench", "--only", "bugs", "--bugs-dir", "../scenarios/bugs", "--bug", "usb/sleep-in-completion",
        "--bug-seeds", "2", "--bug-clean-seeds", "1", "--bug-strategies", "random+steer,pct:2+steer", "--json",
        json.toString());
    assertEquals(ExitCodes.OK, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    for (String s : List.of("random\\+steer", "pct:2\\+steer")) {
      assertTrue(lines.stream().anyMatch(l -> l.matches("bugs " + s + " found=[01]/1 within 2 seeds, .*")), s + "\n" + r.out());
    }
    JsonNode j = new ObjectMapper().readTree(json.toFile());
    // the resolved spec carries PCT's measured k and F, so its runs replay
    assertTrue(j.at("/bugs/strategies/1/bugs/0/strategy").asText().matches("pct:2:\\d+\\+steer:\\d+"), j.toString());
  }

  @Test
  void theBugFigureTakesSwarmVariantsOfTheStrategies() throws Exception {
    Path json = tmp.resolve("swarm.json");
    Result r = devemu("bench", "--only", "bugs", "--bugs-dir", "../scenarios/bugs", "--bug", "usb/unchecked-alloc",
        "--bug-seeds", "3", "--bug-clean-seeds", "2", "--bug-strategies", "random+swarm,pct:2+swarm", "--json",
        json.toString());
    assertEquals(ExitCodes.OK, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    for (String s : List.of("random\\+swarm", "pct:2\\+swarm")) {
      assertTrue(lines.stream().anyMatch(l -> l.matches("bugs " + s + " found=[01]/1 within 3 seeds, .*")), s + "\n" + r.out());
    }
    JsonNode j = new ObjectMapper().readTree(json.toFile());
    assertTrue(j.at("/bugs/strategies/1/bugs/0/strategy").asText().matches("pct:2:\\d+\\+swarm"), j.toString());
    Result bad = devemu("bench", "--only", "bugs", "--bugs-dir", "../scenarios/bugs", "--bug", "usb/unchecked-alloc",
        "--bug-strategies", "random+swarn");
    assertEquals(ExitCodes.BAD_INPUT, bad.code());
    assertTrue(bad.err().contains("random+swarn"), bad.err());
  }

  @Test
  void theCoordinatorFigureMeasuresTheHeapAtEveryFifthOfTheResults() throws Exception {
    Path scenario = tmp.resolve("tiny.conf");
    Files.writeString(scenario, TINY);
    Path json = tmp.resolve("coordinator.json");
    Result r = devemu("bench", "--only", "coordinator", "--coordinator-runs", "1000", "--scenario",
        scenario.toString(), "--json", json.toString());
    assertEquals(ExitCodes.OK, r.code(), r.err());
    // 1000 runs make the lines, not figures: their heap differences are within GC noise, so no sign is checked
    assertTrue(r.out().lines().anyMatch(l -> l.matches("coordinator bytes/outstanding run=-?\\d+, bytes/unread "
        + "result=-?\\d+ \\(a result is \\d+ bytes as Protobuf\\), heap with a reading client at \\d+ results \\d+ MiB, "
        + "at 1000 results \\d+ MiB \\(ratio [\\d.]+\\)")), r.out());
    JsonNode j = new ObjectMapper().readTree(json.toFile());
    assertEquals(1000, j.at("/coordinator/runs").asInt());
    JsonNode points = j.at("/coordinator/readingClient");
    assertTrue(points.size() >= 1 && points.size() <= 6, j.toString());
    assertEquals(1000, points.get(points.size() - 1).path("results").asInt(), "the last point is at the end: " + j);
    assertTrue(j.at("/coordinator/resultProtobufBytes").asInt() > 0, j.toString());
  }
}
