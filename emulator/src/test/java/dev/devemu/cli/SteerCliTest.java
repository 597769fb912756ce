package dev.devemu.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.sim.FaultChoices;
import dev.devemu.testbed.TraceFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --strategy …+steer}: fault decisions are the strategy's choices, recorded in the trace; the same seed is the
 * same run, twice and on replay (from the trace and from the report); shrink turns the faults the bug does not need
 * into passes; without the suffix nothing is recorded and nothing changes.
 */
class SteerCliTest {
  @TempDir
  Path tmp;

  static final String STALL = "../scenarios/bugs/usb-sleep-in-completion.conf";
  static final String RARE_ALLOC = "../scenarios/steer/pcie-unchecked-alloc-rare.conf";

  static long count(List<String> choices, boolean failed) {
    return choices.stream().filter(c -> FaultChoices.isFault(c) && FaultChoices.failed(c) == failed).count();
  }

  @Test
  void aSteeredRunIsDeterministicReplaysByteForByteAndShrinksToTheFaultItNeeds() throws Exception {
    Path trace = tmp.resolve("steer.trace");
    Path report = tmp.resolve("steer.json");
    CliTest.Result first = CliTest.devemu("run", STALL, "--seed", "1", "--strategy", "random+steer", "--trace",
        trace.toString(), "--report", report.toString());
    assertEquals(ExitCodes.BUG_FOUND, first.code(), first.out() + first.err());
    assertTrue(first.out().contains("strategy=random+steer"), first.out());
    assertTrue(first.out().contains("--strategy random+steer"), "the replay command must carry +steer: " + first.out());
    CliTest.Result second = CliTest.devemu("run", STALL, "--seed", "1", "--strategy", "random+steer");
    assertNotNull(first.hash(), first.out());
    assertEquals(first.hash(), second.hash());

    // every usb_stall decision is in the trace; two of them failed (two STALLs), the rest passed
    List<String> choices = TraceFile.read(trace).choices();
    assertEquals(2, count(choices, true), "failed decisions");
    assertTrue(count(choices, false) > 100, "passed decisions: " + count(choices, false));
    assertTrue(first.out().contains("faults=2"), first.out());
    assertTrue(first.out().contains(" fault decisions; replay: "), first.out());

    CliTest.Result fromTrace = CliTest.devemu("replay", trace.toString());
    assertTrue(fromTrace.out().contains("replay: reproduced"), fromTrace.out() + fromTrace.err());
    assertEquals(first.hash(), fromTrace.hash());
    var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(report.toFile());
    assertTrue(doc.at("/replay/strategy_params/steer").asBoolean(), doc.toString());
    CliTest.Result fromReport = CliTest.devemu("replay", report.toString());
    assertTrue(fromReport.out().contains("replay: reproduced"), fromReport.out() + fromReport.err());

    // the bug (sleeping in the completion of a STALLed URB) needs one STALL: shrink turns the other into a pass
    Path shrunk = tmp.resolve("steer.shrunk");
    CliTest.Result s = CliTest.devemu("shrink", trace.toString(), "--out", shrunk.toString(), "--max-runs", "6");
    assertEquals(ExitCodes.BUG_FOUND, s.code(), s.out() + s.err());
    assertTrue(s.out().contains("steered faults 2 -> 1"), s.out());
    assertEquals(1, count(TraceFile.read(shrunk).choices(), true));
    CliTest.Result again = CliTest.devemu("replay", shrunk.toString());
    assertTrue(again.out().contains("replay: reproduced"), again.out() + again.err());
    assertTrue(again.out().contains("faults=1"), again.out());
  }

  @Test
  void withoutTheSuffixNoDecisionIsRecordedAndPctSteeringFailsItsBudget() throws Exception {
    Path plain = tmp.resolve("plain.trace");
    CliTest.Result r = CliTest.devemu("run", STALL, "--seed", "1", "--trace", plain.toString());
    assertEquals(0, TraceFile.read(plain).choices().stream().filter(FaultChoices::isFault).count());

    // one kmalloc call per run: PCT's F is 1, and its one fault step fails it on every seed
    Path pct = tmp.resolve("pct.trace");
    CliTest.Result p = CliTest.devemu("run", RARE_ALLOC, "--seed", "5", "--strategy", "pct:3+steer", "--trace",
        pct.toString());
    assertTrue(p.out().contains("strategy=pct:3:") && p.out().contains("+steer:1"), p.out());
    assertEquals(ExitCodes.BUG_FOUND, p.code(), p.out() + p.err());
    assertEquals(1, count(TraceFile.read(pct).choices(), true));
    String replayCommand = p.out().lines().filter(l -> l.startsWith("Replay: ")).findFirst().orElseThrow();
    assertTrue(replayCommand.contains("+steer:1"), replayCommand);
    assertEquals(p.hash(), CliTest.devemu("replay", pct.toString()).hash());

    CliTest.Result twice = CliTest.devemu("run", STALL, "--strategy", "random+steer+steer");
    assertEquals(ExitCodes.BAD_INPUT, twice.code());
    assertTrue(twice.err().contains("+steer given twice"), twice.err());
    CliTest.Result kunit = CliTest.devemu("kunit", "--strategy", "random+steer");
    assertEquals(ExitCodes.BAD_INPUT, kunit.code(), kunit.out() + kunit.err());
    assertNotNull(r.hash());
  }
}
