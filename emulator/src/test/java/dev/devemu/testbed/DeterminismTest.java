package dev.devemu.testbed;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.ReplayStrategy;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Same seed, same trace; other seeds, other interleavings; a recorded trace replays. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeterminismTest {
  Sim sim;
  Scenario scenario;

  @BeforeAll
  void start() {
    sim = new Sim("DeterminismTest");
    scenario = ScenarioLoader.load(Path.of("../scenarios/pcie-basic.conf")).withDuration(200_000_000L);
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  @Test
  void sameSeedGivesTheSameTraceAndResult() {
    Runner.Outcome a = sim.run(scenario, 42);
    Runner.Outcome b = sim.run(scenario, 42);
    assertEquals(a.traceSha256(), b.traceSha256());
    assertEquals(a.result(), b.result());
    assertTrue(a.result().choices() > 1000, "the run did work: " + a.result().choices());
    assertEquals("completed", a.result().outcome());
  }

  @Test
  void differentSeedsGiveDifferentInterleavings() {
    Set<String> hashes = new HashSet<>();
    for (long seed = 1; seed <= 20; seed++) hashes.add(sim.run(scenario, seed).traceSha256());
    assertTrue(hashes.size() > 1, "20 seeds gave one trace");
  }

  @Test
  void aRecordedTraceReplaysToTheSameHash() {
    Runner.Outcome recorded = sim.run(scenario, 7, new RandomWalkStrategy(), Runner.TraceMode.KEEP);
    Runner.Outcome replayed = sim.run(scenario, 7, new ReplayStrategy(recorded.trace().choices(), true),
        Runner.TraceMode.HASH);
    assertEquals(recorded.traceSha256(), replayed.traceSha256());
  }
}
