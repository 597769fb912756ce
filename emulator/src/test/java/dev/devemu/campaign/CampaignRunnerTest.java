package dev.devemu.campaign;

import static dev.devemu.kernel.Variant.RAW;
import static dev.devemu.kernel.Variant.SAFE;
import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Variant;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole campaigns with real runs (tiny ones): determinism end to end, resume after a kill, exactly-once. */
class CampaignRunnerTest {
  static final String SCENARIO = """
      scenario { name = "tiny", duration = 20ms }
      machine { cpus = 2, lookahead = 50us }
      devices = [ { type = sample-pcie, slot = "0000:00:02.0", interrupt-rate = 1000 } ]
      drivers = [ { name = my_pcie } ]
      faults {
        recurring = [ { action = surprise-unplug, slot = "0000:00:02.0", mean-interval = 15ms, restore-after = 1ms,
                        when = with-irq-pending } ]
      }
      """;

  @TempDir
  Path tmp;

  static CampaignSpec runs(long n) {
    return CampaignSpec.ofRuns("tiny.conf", "tiny", CampaignSpec.sha256(SCENARIO), n, List.of(RAW, SAFE));
  }

  static CampaignRunner.Outcome campaign(Path dir, CampaignSpec spec, CampaignBackend backend, int workers)
      throws Exception {
    Scenario s = ScenarioLoader.parse("tiny.conf", SCENARIO);
    CampaignFolder folder = java.nio.file.Files.exists(dir.resolve(CampaignFolder.SPEC_FILE))
        ? CampaignFolder.resume(dir, new CampaignFolder.ResumeRequest(null, null,
            spec.mode() == CampaignSpec.Mode.RUNS ? spec.runs() : null,
            spec.mode() == CampaignSpec.Mode.DEVICE_HOURS ? spec.deviceHours() : null))
        : CampaignFolder.create(dir, spec, SCENARIO);
    CampaignRunner runner = new CampaignRunner(folder, s.durationNanos() * s.devices().size(),
        CampaignProgress.silent());
    try (backend) {
      return runner.run(backend, "test", workers, "test");
    }
  }

  static String summary(Path dir) throws Exception {
    return Files.readString(dir.resolve(CampaignFolder.SUMMARY_FILE), StandardCharsets.UTF_8);
  }

  /** A backend that dies after a number of results, like a process killed mid-way. */
  static final class KilledAfter implements CampaignBackend {
    final CampaignBackend inner;
    final int results;
    final AtomicInteger seen = new AtomicInteger();

    KilledAfter(CampaignBackend inner, int results) {
      this.inner = inner;
      this.results = results;
    }

    @Override
    public void execute(CampaignPlan plan, Set<RunKey> alreadyDone, ResultSink sink) throws InterruptedException {
      inner.execute(plan, alreadyDone, new ResultSink() {
        @Override
        public void accept(RunRecord record) {
          if (seen.get() >= results) throw new IllegalStateException("killed");
          sink.accept(record);
          seen.incrementAndGet();
        }

        @Override
        public boolean wantsMore() {
          return sink.wantsMore();
        }
      });
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  @Test
  void theSameCampaignTwiceGivesTheSameSummaryByteForByte() throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    CampaignRunner.Outcome first = campaign(a, runs(6), new LocalCampaignBackend(2), 2);
    campaign(b, runs(6), new LocalCampaignBackend(1), 1);
    assertEquals(summary(a), summary(b));
    assertEquals(12, first.summary().runs());
    assertTrue(first.summary().selection().complete());
    // the figures are measured: raw trips over the pending interrupt, safe does not
    assertTrue(first.summary().variants().get(0).oopses() > 0, summary(a));
    for (String f : List.of("results.jsonl", "report.html", "run-info.json", "campaign.json", "scenario.conf")) {
      assertTrue(Files.size(a.resolve(f)) > 0, f);
    }
    assertFalse(summary(a).contains(tmp.toString()), "no path of this machine in the results");
    assertFalse(summary(a).matches("(?s).*20\\d\\d-\\d\\d-\\d\\dT.*"), "no wall-clock time in the results");
  }

  @Test
  void aCampaignKilledMidWayAndResumedEndsWithTheSameTotalsCountingEachRunOnce() throws Exception {
    Path whole = tmp.resolve("whole");
    campaign(whole, runs(6), new LocalCampaignBackend(2), 2);

    Path killed = tmp.resolve("killed");
    assertThrows(IllegalStateException.class,
        () -> campaign(killed, runs(6), new KilledAfter(new LocalCampaignBackend(2), 5), 2));
    Path log = killed.resolve(ResultLog.FILE);
    assertEquals(5, Files.readAllLines(log).size());
    assertFalse(Files.exists(killed.resolve(CampaignFolder.SUMMARY_FILE)));
    Files.writeString(log, "{\"seed\":6,\"variant\":\"sa", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);

    CampaignRunner.Outcome resumed = campaign(killed, CampaignFolder.readSpec(killed), new LocalCampaignBackend(2), 2);
    assertEquals(1, resumed.droppedLines());
    assertEquals(5, resumed.reused());
    assertEquals(7, resumed.executed(), "12 keys, 5 kept: only the missing ones run");
    assertEquals(summary(whole), summary(killed));
    List<String> lines = Files.readAllLines(log);
    assertEquals(12, lines.size());
    Set<String> keys = new HashSet<>();
    for (String l : lines) {
      var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(l);
      assertTrue(keys.add(n.get("seed").asLong() + "/" + n.get("variant").asText()), "twice: " + l);
    }
    String info = Files.readString(killed.resolve(RunInfo.FILE));
    assertEquals(2, info.split("\"started\"").length - 1, "the killed session and the resumed one: " + info);
  }

  @Test
  void aDeviceHoursCampaignPicksTheSameSeedsWhateverTheParallelism() throws Exception {
    double hours = 0.00005; // 180 ms of exposure per variant: about 10 runs of 20 ms
    CampaignSpec spec = CampaignSpec.ofDeviceHours("tiny.conf", "tiny", CampaignSpec.sha256(SCENARIO), hours,
        List.of(RAW, SAFE));
    Path one = tmp.resolve("one");
    Path three = tmp.resolve("three");
    CampaignRunner.Outcome a = campaign(one, spec, new LocalCampaignBackend(1), 1);
    campaign(three, spec, new LocalCampaignBackend(3), 3);
    assertEquals(summary(one), summary(three));

    SeedSelection.Result sel = a.summary().selection();
    assertTrue(sel.complete());
    long target = spec.targetExposureNanos();
    Map<RunKey, RunRecord> records = ResultLog.open(one).records();
    for (SeedSelection.VariantSelection v : sel.variants()) {
      assertTrue(v.exposureNanos() >= target, v.toString());
      // N_v is the smallest: without its last seed the variant falls short
      long without = v.exposureNanos() - records.get(new RunKey(v.lastSeed(), v.variant())).totalExposureNanos();
      assertTrue(without < target, "seed " + v.lastSeed() + " was not needed by " + v.variant());
    }
    // raw's runs end at their first oops, safe's last: each variant stops at its own seed count
    assertTrue(sel.of(RAW).lastSeed() > sel.of(SAFE).lastSeed(), sel.toString());
  }

  /** A variant that has its device-hours target gets no more runs, even within a wave that planned them. */
  @Test
  void theLocalBackendSkipsTheRunsTheSinkNoLongerWants() throws Exception {
    List<RunKey> keys = new java.util.ArrayList<>();
    for (long seed = 1; seed <= 4; seed++) keys.addAll(List.of(new RunKey(seed, RAW), new RunKey(seed, SAFE)));
    CampaignPlan plan = new CampaignPlan("skip", "tiny.conf", SCENARIO, keys, 0);
    List<RunKey> ran = new java.util.ArrayList<>();
    try (LocalCampaignBackend backend = new LocalCampaignBackend(1)) {
      backend.execute(plan, Set.of(new RunKey(1, RAW)), new CampaignBackend.ResultSink() {
        @Override
        public void accept(RunRecord record) {
          ran.add(record.key());
        }

        @Override
        public boolean wants(RunKey key) {
          // safe "reaches its target" with its second run
          return !key.variant().equals(SAFE) || ran.stream().filter(k -> k.variant().equals(SAFE)).count() < 2;
        }
      });
    }
    assertEquals(List.of(new RunKey(1, SAFE), new RunKey(2, RAW), new RunKey(2, SAFE), new RunKey(3, RAW),
        new RunKey(4, RAW)), ran, "one worker, plan order, done keys and unwanted keys skipped");
  }
}
