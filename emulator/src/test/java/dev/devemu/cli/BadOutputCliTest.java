package dev.devemu.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17.5 (the command-line half): bad output paths and arguments exit 2 with the path and the reason, before
 * any work, and never with a Java stack trace; replay says "not reproduced" with its own exit code.
 */
class BadOutputCliTest {
  @TempDir
  Path tmp;

  static final String SMALL = """
      scenario { name = "small", duration = 5ms }
      machine { cpus = 2 }
      devices = [ { type = sample-pcie, slot = "0000:00:02.0", interrupt-rate = 2000 } ]
      drivers = [ { name = my_pcie, variant = safe } ]
      """;

  Path scenario() throws Exception {
    Path p = tmp.resolve("s.conf");
    Files.writeString(p, SMALL);
    return p;
  }

  /** A regular file: a path below it cannot be written, whoever runs the test (root included). */
  Path aFile() throws Exception {
    Path f = tmp.resolve("plain-file");
    Files.writeString(f, "x");
    return f;
  }

  static void badInput(CliTest.Result r, String... expected) {
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
    for (String e : expected) assertTrue(r.err().contains(e), "missing \"" + e + "\" in: " + r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "a stack trace reached the user: " + r.err());
  }

  @Test
  void campaignOutOnAnExistingFileIsBadInput() throws Exception {
    Path f = aFile();
    badInput(CliTest.devemu("campaign", scenario().toString(), "--out", f.toString(), "--runs", "1", "--local"),
        "--out " + f, "exists and is not a folder");
  }

  @Test
  void campaignOutBelowAFileIsBadInput() throws Exception {
    Path f = aFile();
    badInput(CliTest.devemu("campaign", scenario().toString(), "--out", f.resolve("c").toString(), "--runs", "1",
        "--local"), f + " is not a folder");
  }

  @Test
  void lspciAtANegativeOrUnitlessTimeIsBadInput() throws Exception {
    badInput(CliTest.devemu("lspci", scenario().toString(), "--at", "-1ms"), "--at", "-1ms");
    badInput(CliTest.devemu("lspci", scenario().toString(), "--at", "5"), "--at", "unit");
    badInput(CliTest.devemu("lspci", scenario().toString(), "--at", "0ms"), "--at", "after boot");
  }

  @Test
  void runReportToAnUnwritablePathIsRefusedBeforeTheRun() throws Exception {
    Path target = aFile().resolve("r.json");
    CliTest.Result r = CliTest.devemu("run", scenario().toString(), "--report", target.toString());
    badInput(r, "--report " + target, "is not a folder");
    assertFalse(r.out().contains("seed="), "the run started: " + r.out());
    badInput(CliTest.devemu("run", scenario().toString(), "--trace", tmp.toString()), "--trace " + tmp,
        "is a folder");
  }

  @Test
  void replayThatDoesNotReproduceExitsFiveNotOne() throws Exception {
    Path report = tmp.resolve("r.json");
    CliTest.Result first = CliTest.devemu("run", "../scenarios/my_pcie-unplug.conf", "--variant", "raw", "--seed", "1",
        "--report", report.toString());
    assertEquals(ExitCodes.BUG_FOUND, first.code(), first.out() + first.err());
    // the same recipe with the safe variant: it runs, and its report differs from the one recorded
    ObjectMapper json = new ObjectMapper();
    ObjectNode doc = (ObjectNode) json.readTree(report.toFile());
    ((ObjectNode) doc.get("replay")).put("variant_override", "safe");
    json.writeValue(report.toFile(), doc);
    CliTest.Result replay = CliTest.devemu("replay", report.toString());
    assertEquals(ExitCodes.NOT_REPRODUCED, replay.code(), replay.out() + replay.err());
    assertTrue(replay.out().contains("NOT reproduced"), replay.out());
  }
}
