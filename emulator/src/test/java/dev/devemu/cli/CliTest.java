package dev.devemu.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as users meet it: first line, summary, exit codes, error messages, trace files. */
class CliTest {
  @TempDir
  Path tmp;

  record Result(int code, String out, String err) {
    String firstLine() {
      return out.lines().findFirst().orElse("");
    }

    String hash() {
      String last = out.lines().filter(l -> l.startsWith("summary:")).reduce((a, b) -> b).orElse("");
      int at = last.indexOf("trace-sha256=");
      return at < 0 ? null : last.substring(at + "trace-sha256=".length()).trim();
    }
  }

  static Result devemu(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = new CommandLine(new Main());
    int code = Main.execute(cli, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
        StandardCharsets.UTF_8), args);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Path write(String name, String text) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static final String SMALL = """
      scenario { name = "small", duration = 50ms }
      machine { cpus = 2 }
      devices = [ { type = sample-pcie, slot = "0000:00:02.0", interrupt-rate = 2000 } ]
      drivers = [ { name = my_pcie, variant = safe } ]
      """;

  @Test
  void aCleanRunPrintsTheSeedFirstAndTheHashLast() throws Exception {
    Result r = devemu("run", write("s.conf", SMALL).toString(), "--seed", "42");
    assertEquals(ExitCodes.OK, r.code(), r.err());
    assertEquals("seed=42", r.firstLine());
    assertNotNull(r.hash());
    assertEquals(64, r.hash().length());
    assertEquals(r.hash(), devemu("run", write("s2.conf", SMALL).toString(), "--seed", "42").hash());
  }

  @Test
  void aSyntaxErrorExitsTwoWithFileAndLine() throws Exception {
    Path bad = write("syntax.conf", "scenario {\n  name = \"x\"\n  duration = 1s\ndevices = [ {\n");
    Result r = devemu("run", bad.toString(), "--seed", "1");
    assertEquals(ExitCodes.BAD_INPUT, r.code());
    assertTrue(r.err().contains(bad + ":"), r.err());
    assertTrue(r.err().matches("(?s).*syntax\\.conf:\\d+: .*"), r.err());
  }

  @Test
  void aMisspeltKeyExitsTwoWithFileLineAndKey() throws Exception {
    Path bad = write("typo.conf", SMALL.replace("interrupt-rate", "interupt-rate"));
    Result r = devemu("run", bad.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code());
    assertTrue(r.err().contains(bad + ":3: devices[0].interupt-rate: unknown key"), r.err());
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(ExitCodes.BAD_INPUT, devemu("run", "--seed", "notanumber", "x.conf").code());
    assertEquals(ExitCodes.BAD_INPUT, devemu("run").code());
    assertEquals(ExitCodes.BAD_INPUT, devemu("frobnicate").code());
    assertEquals(ExitCodes.BAD_INPUT, devemu("run", "missing.conf").code());
  }

  @Test
  void aDetectedBugExitsThreeWithItsReplayCommand() throws Exception {
    Path raw = write("race.conf", """
        scenario { name = "race", duration = 8ms }
        machine { cpus = 2, lookahead = 50us }
        devices = [ { type = sample-pcie, slot = "0000:00:02.0", interrupt-rate = 100000 } ]
        drivers = [ { name = my_pcie, variant = raw } ]
        faults { events = [ { at = 5ms, action = surprise-unplug, slot = "0000:00:02.0" } ] }
        """);
    Result found = null;
    for (int seed = 1; seed <= 20 && found == null; seed++) {
      Result r = devemu("run", raw.toString(), "--seed", String.valueOf(seed));
      if (r.code() == ExitCodes.BUG_FOUND) found = r;
      else assertEquals(ExitCodes.OK, r.code(), r.err());
    }
    assertNotNull(found, "no seed in 1..20 found the surprise-removal bug");
    assertTrue(found.out().contains("BUG: KASAN: slab-out-of-bounds in my_pcie_irq"), found.out());
    assertTrue(found.out().contains("Replay: ./devemu run " + raw + " --seed "), found.out());
  }

  @Test
  void aWrittenTraceReplaysToTheSameHash() throws Exception {
    Path scenario = write("s.conf", SMALL);
    Path trace = tmp.resolve("run.trace");
    Result recorded = devemu("run", scenario.toString(), "--seed", "9", "--trace", trace.toString());
    assertEquals(ExitCodes.OK, recorded.code(), recorded.err());
    assertTrue(Files.size(trace) > 1000);
    Files.delete(scenario); // the trace carries the scenario with it
    Result replayed = devemu("run", "--replay", trace.toString());
    assertEquals(ExitCodes.OK, replayed.code(), replayed.err());
    assertEquals("seed=9", replayed.firstLine());
    assertEquals(recorded.hash(), replayed.hash());
    Path junk = write("junk.trace", "not a trace");
    assertEquals(ExitCodes.BAD_INPUT, devemu("run", "--replay", junk.toString()).code());
  }

  @Test
  void modaliasListsEveryEnumeratedFunctionInTheKernelsFormat() throws Exception {
    Result r = devemu("modalias", write("s.conf", SMALL).toString());
    assertEquals(ExitCodes.OK, r.code(), r.err());
    assertEquals("0000:00:02.0 pci:v00001234d00005678sv00001AF4sd00001100bcFFsc00i00", r.out().trim());
    assertEquals(ExitCodes.BAD_INPUT, devemu("modalias", write("t.conf", SMALL.replace("cpus", "cpu")).toString()).code());
  }

  @Test
  void twoJvmsAgreeOnTheTraceOfASeed() throws Exception {
    Path scenario = write("s.conf", SMALL);
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", scenario.toString(), "--seed", "42")
          .redirectErrorStream(false).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), out);
      hashes.add(new Result(0, out, "").hash());
    }
    assertNotNull(hashes.get(0));
    assertEquals(hashes.get(0), hashes.get(1));
  }

  @Test
  void clusterCommandsRejectBadInputWithExitTwo() throws Exception {
    Result missing = devemu("node", "--config", tmp.resolve("missing.conf").toString());
    assertEquals(ExitCodes.BAD_INPUT, missing.code());
    assertTrue(missing.err().contains("missing.conf: no such file"), missing.err());
    Result noSuchNode = devemu("node", "--config", "../cluster-config/local-3-nodes.conf", "--node", "4");
    assertEquals(ExitCodes.BAD_INPUT, noSuchNode.code());
    assertTrue(noSuchNode.err().contains("nodes 1..3"), noSuchNode.err());
    assertEquals(ExitCodes.BAD_INPUT, devemu("status", "--cluster", "no-port").code());
    assertEquals(ExitCodes.BAD_INPUT, devemu("status").code());
  }
}
