package dev.devemu.scenario;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Variant;
import dev.devemu.sim.VirtualClock;
import org.junit.jupiter.api.Test;

class ScenarioLoaderTest {
  static final String GOOD = """
      scenario {
        name = "t"
        duration = 2s
      }
      machine { cpus = 3 }
      devices = [
        { type = sample-pcie, slot = "0000:00:02.0", interrupt-rate = 50 }
      ]
      drivers = [ { name = my_pcie, variant = raw } ]
      faults {
        probability { kmalloc = 0.01 }
        events = [ { at = 1s, action = surprise-unplug, slot = "0000:00:02.0" } ]
      }
      """;

  static ScenarioException fails(String text) {
    return assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("bad.conf", text));
  }

  @Test
  void aGoodScenarioParses() {
    Scenario s = ScenarioLoader.parse("good.conf", GOOD);
    assertEquals("t", s.name());
    assertEquals(2 * VirtualClock.SECOND, s.durationNanos());
    assertEquals(3, s.machine().cpus());
    assertEquals("0000:00:02.0", s.devices().get(0).slot());
    assertEquals(Variant.RAW, s.drivers().get(0).variant());
    assertEquals(0.01, s.faults().probabilities().get("kmalloc"));
    assertEquals(FaultPlan.Action.SURPRISE_UNPLUG, s.faults().events().get(0).action());
    assertEquals(Variant.SAFE, s.withVariant(Variant.SAFE).drivers().get(0).variant());
  }

  @Test
  void aSyntaxErrorNamesFileAndLine() {
    ScenarioException e = fails("scenario {\n  name = \"x\"\n  duration = 1s\n\ndevices = [ { type = \n");
    assertTrue(e.getMessage().startsWith("bad.conf:"), e.getMessage());
    assertTrue(e.line() > 0, e.getMessage());
    assertTrue(e.getMessage().contains("syntax error"), e.getMessage());
  }

  @Test
  void aMisspeltKeyNamesFileLineAndKey() {
    ScenarioException e = fails(GOOD.replace("interrupt-rate = 50", "interupt-rate = 50"));
    assertEquals(7, e.line(), e.getMessage());
    assertEquals("devices[0].interupt-rate", e.key());
    assertTrue(e.getMessage().startsWith("bad.conf:7: devices[0].interupt-rate: unknown key"), e.getMessage());
  }

  @Test
  void anUnknownTopLevelSectionIsRejected() {
    ScenarioException e = fails(GOOD + "\nmachien { cpus = 2 }\n");
    assertEquals("machien", e.key());
    assertTrue(e.line() > 0);
  }

  @Test
  void wrongTypesAndRangesAreRejected() {
    assertEquals("machine.cpus", fails(GOOD.replace("cpus = 3", "cpus = \"many\"")).key());
    assertEquals("machine.cpus", fails(GOOD.replace("cpus = 3", "cpus = 0")).key());
    assertEquals("devices[0].interrupt-rate", fails(GOOD.replace("interrupt-rate = 50", "interrupt-rate = -5")).key());
    assertEquals("scenario.duration", fails(GOOD.replace("duration = 2s", "duration = soon")).key());
    assertEquals("faults.probability.kmalloc", fails(GOOD.replace("kmalloc = 0.01", "kmalloc = 1.5")).key());
    assertEquals("drivers[0].variant", fails(GOOD.replace("variant = raw", "variant = unsafe")).key());
  }

  @Test
  void impossibleTopologiesAreRejected() {
    assertEquals("devices[1].slot", fails(GOOD.replace("interrupt-rate = 50 }",
        "interrupt-rate = 50 }\n  { type = sample-pcie, slot = \"0000:00:02.0\" }")).key());
    assertEquals("faults.events[0].slot", fails(GOOD.replace("action = surprise-unplug, slot = \"0000:00:02.0\"",
        "action = surprise-unplug, slot = \"0000:00:09.0\"")).key());
    assertEquals("devices[0].type", fails(GOOD.replace("type = sample-pcie", "type = gpu")).key());
    assertEquals("drivers[0].name", fails(GOOD.replace("name = my_pcie", "name = nvidia")).key());
    assertEquals("faults.probability.kmallok", fails(GOOD.replace("kmalloc = 0.01", "kmallok = 0.01")).key());
    assertEquals("faults.events[0].at", fails(GOOD.replace("at = 1s", "at = 10s")).key());
    assertEquals("devices[0].slot", fails(GOOD.replace("slot = \"0000:00:02.0\", interrupt", "slot = \"00:2\", interrupt")).key());
  }

  @Test
  void aMissingFileIsBadInputToo() {
    ScenarioException e = assertThrows(ScenarioException.class,
        () -> ScenarioLoader.load(java.nio.file.Path.of("does/not/exist.conf")));
    assertTrue(e.getMessage().contains("does/not/exist.conf"));
  }
}
