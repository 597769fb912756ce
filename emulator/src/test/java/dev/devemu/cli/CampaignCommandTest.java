package dev.devemu.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code devemu campaign} as users meet it: files, resume, --variant, and exit code 2 for every bad input. */
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
    String summary = Files.readString(out.resolve("summary.json"));
    assertTrue(summary.contains("\"replay\": \"./devemu run " + scenario + " --seed "), summary);

    CliTest.Result again = devemu("campaign", "--resume", out.toString());
    assertEquals(ExitCodes.OK, again.code(), again.err());
    assertTrue(again.out().contains("0 executed now, 8 from earlier sessions"), again.out());
    assertEquals(summary, Files.readString(out.resolve("summary.json")));

    CliTest.Result more = devemu("campaign", "--resume", out.toString(), "--runs", "5");
    assertEquals(ExitCodes.OK, more.code(), more.err());
    assertTrue(more.out().contains("2 executed now"), "raising the target runs only the new seed: " + more.out());
  }

  @Test
  void variantRunsOnlyThatVariant() throws Exception {
    Path out = tmp.resolve("raw-only");
    CliTest.Result r = devemu("campaign", write("tiny.conf", TINY).toString(), "--runs", "3", "--variant", "raw",
        "--out", out.toString(), "--workers", "1");
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
    assertEquals(ExitCodes.BAD_INPUT, devemu("campaign", scenario.toString(), "--variant", "unsafe").code());
    assertEquals(ExitCodes.BAD_INPUT, devemu("campaign", tmp.resolve("missing.conf").toString()).code());
    CliTest.Result notACampaign = devemu("campaign", "--resume", tmp.toString());
    assertEquals(ExitCodes.BAD_INPUT, notACampaign.code());
    assertTrue(notACampaign.err().contains("not a campaign folder"), notACampaign.err());

    assertEquals(ExitCodes.OK, devemu("campaign", scenario.toString(), "--runs", "1", "--variant", "safe", "--out",
        out.toString(), "--workers", "1").code());
    CliTest.Result exists = devemu("campaign", scenario.toString(), "--runs", "1", "--out", out.toString());
    assertEquals(ExitCodes.BAD_INPUT, exists.code());
    assertTrue(exists.err().contains("already holds a campaign: go on with --resume"), exists.err());
    Path changed = write("changed.conf", TINY.replace("interrupt-rate = 1000", "interrupt-rate = 999"));
    assertEquals(ExitCodes.BAD_INPUT, devemu("campaign", changed.toString(), "--resume", out.toString()).code());
    assertEquals(ExitCodes.BAD_INPUT, devemu("campaign", "--resume", out.toString(), "--variant", "raw").code());
  }
}
