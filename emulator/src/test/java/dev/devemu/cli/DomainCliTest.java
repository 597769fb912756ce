package dev.devemu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `run --lanes N` on a domain scenario, and `replay` of its trace on another number of lanes, as users type them. */
class DomainCliTest {
  @TempDir
  Path tmp;

  record Result(int code, String out, String err) {}

  static Result cli(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.execute(new CommandLine(new Main()), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path shortScenario() throws Exception {
    String text = Files.readString(Path.of("..", "scenarios", "pcie-domains.conf"))
        .replace("duration = 200ms", "duration = 8ms");
    Path p = tmp.resolve("pcie-domains-short.conf");
    Files.writeString(p, text);
    return p;
  }

  private static String sha(Result r) {
    Matcher m = Pattern.compile("trace-sha256=([0-9a-f]{64})").matcher(r.out());
    assertTrue(m.find(), r.out() + r.err());
    return m.group(1);
  }

  @Test
  void lanesChangeNothingButSpeedAndATwoLaneTraceReplaysOnOne() throws Exception {
    Path scenario = shortScenario();
    Path trace = tmp.resolve("two.trace");
    Result two = cli("run", scenario.toString(), "--seed", "4", "--lanes", "2", "--trace", trace.toString());
    Result one = cli("run", scenario.toString(), "--seed", "4", "--lanes", "1");
    assertEquals(0, two.code(), two.out() + two.err());
    assertEquals(sha(one), sha(two));
    assertTrue(two.out().contains(" windows=") && two.out().contains(" link-messages="), two.out());
    Result replayed = cli("replay", trace.toString(), "--lanes", "1");
    assertEquals(0, replayed.code(), replayed.out() + replayed.err());
    assertTrue(replayed.out().contains("replay: reproduced"), replayed.out());
  }

  @Test
  void badLanesAndBadDomainsAreExitTwo() throws Exception {
    Path scenario = shortScenario();
    Result r = cli("run", scenario.toString(), "--lanes", "0");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--lanes must be between 1 and 64"), r.err());

    String text = Files.readString(scenario).replace("cam0 = { slots = [\"0000:00:05.0\"]",
        "cam0 = { slots = [\"0000:00:07.0\"]");
    Path bad = tmp.resolve("bad-domains.conf");
    Files.writeString(bad, text);
    r = cli("run", bad.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("bad-domains.conf:") && r.err().contains("domains.cam0.slots"), r.err());
  }
}
