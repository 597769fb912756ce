package dev.devemu.golden;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.cli.Main;
import dev.devemu.kernel.Variant;
import dev.devemu.replay.StrategySpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.testbed.Runner;
import dev.devemu.testbed.Sim;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The determinism contract across changes of the code: every scenario of {@code scenarios/}, both variants, a few
 * seeds, the random walk and PCT, give the trace hashes recorded in {@code golden/traces.txt}; small campaigns give
 * the {@code summary.json} recorded in {@code golden/summaries.txt}. A change that moves code must leave them alone;
 * a change that means to alter runs regenerates them with {@code -Ddevemu.golden.update=true} and says why in its
 * commit. On a mismatch the new lines are in {@code target/golden/}.
 */
class GoldenTracesTest {
  static final Path SCENARIOS = Path.of("../scenarios");
  static final long[] SEEDS = {1, 2, 3};
  /** PCT with a fixed k, so that the golden runs need no measuring run first. */
  static final List<String> STRATEGIES = List.of("random", "pct:3:2000");
  static final boolean UPDATE = Boolean.getBoolean("devemu.golden.update");

  @TempDir
  Path tmp;

  static List<Path> scenarioFiles() throws IOException {
    try (Stream<Path> files = Files.list(SCENARIOS)) {
      return files.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    }
  }

  @Test
  void everyScenarioKeepsItsTraceHashes() throws Exception {
    List<String> lines = new ArrayList<>();
    try (Sim sim = new Sim("GoldenTracesTest")) {
      for (Path file : scenarioFiles()) {
        Scenario base = ScenarioLoader.load(file);
        for (String variant : List.of("raw", "safe")) {
          Scenario s = base.withVariant(Variant.parse(variant));
          for (String strategy : STRATEGIES) {
            for (long seed : SEEDS) {
              Runner.Outcome o = sim.run(s, seed, StrategySpec.parse(strategy).create(), Runner.TraceMode.HASH);
              lines.add(file.getFileName() + " " + variant + " " + strategy + " " + seed + " "
                  + o.result().outcome() + " oopses=" + o.result().oopses().size() + " choices="
                  + o.result().choices() + " " + o.traceSha256());
            }
          }
        }
      }
    }
    compare("traces.txt", lines);
  }

  @Test
  void smallCampaignsKeepTheirSummaries() throws Exception {
    List<String> lines = new ArrayList<>();
    for (String name : List.of("my_pcie-unplug.conf", "my_usb-unplug.conf", "article-stress.conf")) {
      Path out = tmp.resolve(name);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = Main.execute(new CommandLine(new Main()), new PrintStream(new ByteArrayOutputStream(), true,
          StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), "campaign",
          SCENARIOS.resolve(name).toString(), "--runs", "3", "--local", "--workers", "2", "--out", out.toString());
      assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
      byte[] summary = Files.readAllBytes(out.resolve("summary.json"));
      lines.add(name + " " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(summary)));
    }
    compare("summaries.txt", lines);
  }

  private static void compare(String name, List<String> actual) throws IOException {
    Path golden = Path.of("src/test/resources/golden").resolve(name);
    String text = String.join("\n", actual) + "\n";
    if (UPDATE) {
      Files.writeString(golden, text, StandardCharsets.UTF_8);
      return;
    }
    Path out = Path.of("target/golden").resolve(name);
    Files.createDirectories(out.getParent());
    Files.writeString(out, text, StandardCharsets.UTF_8);
    assertTrue(Files.exists(golden), "no golden file " + golden + " (create it with -Ddevemu.golden.update=true)");
    List<String> expected = Files.readAllLines(golden, StandardCharsets.UTF_8);
    List<String> differ = new ArrayList<>();
    for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
      String e = i < expected.size() ? expected.get(i) : "<none>";
      String a = i < actual.size() ? actual.get(i) : "<none>";
      if (!e.equals(a)) differ.add("expected " + e + "\n     got " + a);
    }
    assertTrue(differ.isEmpty(), differ.size() + " lines of " + name + " changed (new ones in " + out + "):\n"
        + String.join("\n", differ.subList(0, Math.min(20, differ.size()))));
  }
}
