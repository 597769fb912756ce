package dev.devemu.explore;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.devemu.cli.ExitCodes;
import dev.devemu.cli.Main;
import dev.devemu.scenario.Expectations;
import dev.devemu.scenario.ScenarioLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every bug scenario in {@code scenarios/} ({@code *-race.conf}, {@code *-unplug.conf}), whoever wrote it:
 * {@code explore --variant raw} finds a bug within a bounded number of seeds and its report names an expected
 * detector, the same seeds under {@code --variant safe} report nothing, and {@code replay} of the report file
 * reproduces the identical report — twice in this JVM, and once in a new JVM for the first scenario.
 */
class BugScenariosTest {
  static final int SEEDS = 40;

  @TempDir
  Path tmp;

  static List<Path> scenarios() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("../scenarios"))) {
      return files.filter(p -> p.getFileName().toString().matches(".*-(race|unplug)\\.conf")).sorted().toList();
    }
  }

  record Result(int code, String out, String err) {}

  static Result devemu(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.execute(new CommandLine(new Main()), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The report blocks of a command's output: from the first report line to the last "Replay:" line. */
  static String reportBlock(String out) {
    int end = out.lastIndexOf("\nReplay: ");
    if (end < 0) return "";
    end = out.indexOf('\n', end + 1) + 1;
    int start = out.indexOf("\n", out.indexOf("\nscenario=") + 1) + 1;
    if (out.startsWith("replay: ", start)) start = out.indexOf('\n', start) + 1;
    return out.substring(start, end);
  }

  @Test
  void thereIsABugScenarioForMyPcie() throws IOException {
    assertTrue(scenarios().stream().anyMatch(p -> p.getFileName().toString().startsWith("my_pcie-")), scenarios().toString());
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void rawFindsItsBugSafeStaysQuietAndTheReportReplays(Path file) throws Exception {
    Path report = tmp.resolve(file.getFileName() + ".report.json");
    Result raw = devemu("explore", file.toString(), "--seeds", String.valueOf(SEEDS), "--variant", "raw",
        "--report", report.toString());
    assertEquals(ExitCodes.BUG_FOUND, raw.code(), raw.out() + raw.err());
    assertTrue(raw.out().contains("\nReplay: ./devemu run " + file + " --seed "), raw.out());

    JsonNode json = new ObjectMapper().readTree(report.toFile());
    String detector = json.get("oopses").get(0).get("detector").asText();
    List<String> expected = Expectations.detectors(ScenarioLoader.load(file));
    assertFalse(expected.isEmpty(), file + " should say scenario.expect-detectors");
    assertTrue(expected.contains(detector), file + ": found " + detector + ", expected one of " + expected);
    assertEquals("raw", json.get("replay").get("variant_override").asText());

    Result safe = devemu("explore", file.toString(), "--seeds", String.valueOf(SEEDS), "--variant", "safe");
    assertEquals(ExitCodes.OK, safe.code(), safe.out() + safe.err());
    assertTrue(safe.out().contains("no bug in " + SEEDS + " seeds"), safe.out());

    String found = reportBlock(raw.out());
    assertFalse(found.isEmpty(), raw.out());
    for (int i = 0; i < 2; i++) {
      Result again = devemu("replay", report.toString());
      assertEquals(ExitCodes.BUG_FOUND, again.code(), again.out() + again.err());
      assertTrue(again.out().contains("replay: reproduced: identical report"), again.out());
      assertEquals(found, reportBlock(again.out()));
    }

    if (file.equals(scenarios().get(0))) {
      // a new JVM, in another directory, without the scenario file: the report carries everything
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), Main.class.getName(), "replay", report.toAbsolutePath().toString())
          .directory(tmp.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, TimeUnit.SECONDS));
      assertEquals(ExitCodes.BUG_FOUND, p.exitValue(), out);
      assertTrue(out.contains("replay: reproduced: identical report"), out);
      assertEquals(found, reportBlock(out));
    }
  }
}
