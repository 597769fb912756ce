package dev.devemu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17.1 end to end: a driver that spins without letting time pass ({@link SpinDriverKind}) does not hang the
 * run. The run ends with the kernel's soft-lockup report blamed on the spinning task, the outcome and exit code
 * say so, and the report replays.
 */
class SoftLockupCliTest {
  @TempDir
  Path tmp;

  static final String SPIN = """
      scenario { name = "spin", duration = 20ms }
      machine { cpus = 2 }
      devices = [ { type = sample-pcie, slot = "0000:00:02.0", interrupt-rate = 1000 } ]
      drivers = [ { name = spindrv, variant = raw } ]
      """;

  Path write(String name, String text) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static String hash(String out) {
    Matcher m = Pattern.compile("trace-sha256=([0-9a-f]{64})").matcher(out);
    assertTrue(m.find(), out);
    return m.group(1);
  }

  @Test
  void aSpinningProbeEndsTheRunWithASoftLockupReportThatReplays() throws Exception {
    Path conf = write("spin.conf", SPIN);
    Path report = tmp.resolve("spin.json");
    CliTest.Result r = CliTest.devemu("run", conf.toString(), "--seed", "1", "--report", report.toString());
    assertEquals(ExitCodes.BUG_FOUND, r.code(), r.out() + r.err());
    // the kernel's own title (kernel/watchdog.c), blamed on the probe's task, with the function that spins
    assertTrue(Pattern.compile("(?m)^watchdog: BUG: soft lockup - CPU#[01] stuck for 0s! \\[spindrv_probe:\\d+\\]$")
        .matcher(r.out()).find(), r.out());
    assertTrue(r.out().contains(" without virtual time passing (a livelock)"), r.out());
    assertTrue(r.out().contains("signature: soft-lockup:spindrv_wait_ready:livelock"), r.out());
    assertTrue(r.out().contains("Blamed on: spindrv[raw]"), r.out());
    assertTrue(r.out().contains("outcome=panic"), r.out());
    assertTrue(r.out().contains("Replay: ./devemu run " + conf + " --seed 1"), r.out());

    CliTest.Result again = CliTest.devemu("replay", report.toString());
    assertEquals(ExitCodes.BUG_FOUND, again.code(), again.out() + again.err());
    assertTrue(again.out().contains("replay: reproduced"), again.out());

    CliTest.Result sameSeed = CliTest.devemu("run", conf.toString(), "--seed", "1");
    assertEquals(hash(r.out()), hash(sameSeed.out()));
  }

  @Test
  void withoutPanicOnOopsTheOutcomeIsLivelockAndTheRunStillEnds() throws Exception {
    Path conf = write("spin.conf", SPIN + "kernel { panic-on-oops = false }\n");
    CliTest.Result r = CliTest.devemu("run", conf.toString(), "--seed", "2");
    assertEquals(ExitCodes.BUG_FOUND, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("watchdog: BUG: soft lockup - CPU#"), r.out());
    assertTrue(r.out().contains("outcome=livelock"), r.out());
  }
}
