package dev.devemu.scenario;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.fault.Moments;
import dev.devemu.sim.VirtualClock;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault plan's keys, good and bad: one bad file per kind (unknown key, wrong type, negative rate, impossible
 * topology), each rejected with {@code file:line: key: …}.
 */
class FaultPlanValidationTest {
  /** Line numbers matter: the bad cases below name the line they break. */
  static final String GOOD = """
      scenario { name = "plan", duration = 10s }
      machine { cpus = 2 }
      devices = [
        { type = sample-pcie, slot = "0000:00:02.0" }
        { type = sample-pcie, slot = "0000:00:03.0" }
      ]
      drivers = [ { name = my_pcie } ]
      faults {
        probability { kmalloc = 0.01, completion_timeout = 0.5 }
        events = [
          { at = 1s, action = surprise-unplug, slot = "0000:00:02.0", restore-after = 10ms }
          { when = during-probe, action = unplug, slot = "0000:00:03.0" }
          { at = 2s, when = with-irq-pending, action = stall, slot = "0000:00:02.0", restore-after = 1s }
          { at = 3s, action = irq-storm, slot = "0000:00:02.0", count = 500, rate = 50000 }
          { at = 4s, action = spurious-irq }
          { at = 5s, action = fail, point = kmalloc, count = 2 }
          { at = 6s, action = link-down, slot = "0000:00:03.0", restore-after = 100us }
        ]
        recurring = [
          { action = unplug, slot = "0000:00:02.0", mean-interval = 2s, restore-after = 5ms, when = after-bind }
          { action = spurious-irq, slot = "0000:00:03.0", mean-interval = 100ms }
        ]
      }
      """;

  static ScenarioException fails(String text) {
    return assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("plan.conf", text));
  }

  @Test
  void everyNewKeyParses() {
    FaultPlan p = ScenarioLoader.parse("plan.conf", GOOD).faults();
    assertEquals(7, p.events().size());
    FaultPlan.Event unplug = p.events().get(0);
    assertEquals(10 * VirtualClock.MILLISECOND, unplug.restoreAfterNanos());
    assertNull(unplug.when());
    FaultPlan.Event duringProbe = p.events().get(1);
    assertEquals(Moments.Moment.DURING_PROBE, duringProbe.when());
    assertEquals(0, duringProbe.atNanos(), "a moment without `at` is armed from the start");
    assertEquals(Moments.Moment.WITH_IRQ_PENDING, p.events().get(2).when());
    assertEquals(FaultPlan.Action.STALL, p.events().get(2).action());
    FaultPlan.Params storm = p.events().get(3).params();
    assertEquals(500, storm.count());
    assertEquals(20_000, storm.intervalNanos());
    assertNull(p.events().get(4).slot(), "a spurious interrupt needs no device");
    assertEquals("kmalloc", p.events().get(5).params().point());
    assertEquals(2, p.events().get(5).params().count());
    assertEquals(Moments.Moment.AFTER_BIND, p.recurring().get(0).when());
    assertEquals(0.5, p.probabilities().get("completion_timeout"));
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        // unknown keys
        Arguments.of("unknown key in an event", "count = 500, rate", "cuont = 500, rate", 14, "faults.events[3].cuont"),
        Arguments.of("a key another action does not take", "action = link-down, slot = \"0000:00:03.0\"",
            "action = link-down, count = 3, slot = \"0000:00:03.0\"", 17, "faults.events[6].count"),
        Arguments.of("unknown action", "action = spurious-irq }", "action = sneeze }", 15, "faults.events[4].action"),
        Arguments.of("unknown moment", "when = during-probe", "when = during-lunch", 12, "faults.events[1].when"),
        Arguments.of("unknown fault point", "point = kmalloc", "point = kmallok", 16, "faults.events[5].point"),
        // wrong types
        Arguments.of("count is not an integer", "count = 500", "count = \"many\"", 14, "faults.events[3].count"),
        Arguments.of("rate is not a number", "rate = 50000", "rate = fast", 14, "faults.events[3].rate"),
        Arguments.of("restore-after is not a duration", "restore-after = 1s }", "restore-after = later }", 13,
            "faults.events[2].restore-after"),
        Arguments.of("events is not a list", "events = [", "events = { a = 1 }\n        eventz = [", 10,
            "faults.events"),
        // negative rates and counts
        Arguments.of("negative storm rate", "rate = 50000", "rate = -50000", 14, "faults.events[3].rate"),
        Arguments.of("zero storm rate", "rate = 50000", "rate = 0", 14, "faults.events[3].rate"),
        Arguments.of("zero count", "count = 2 }", "count = 0 }", 16, "faults.events[5].count"),
        Arguments.of("negative mean interval", "mean-interval = 100ms", "mean-interval = -100ms", 21,
            "faults.recurring[1].mean-interval"),
        Arguments.of("negative probability", "kmalloc = 0.01", "kmalloc = -0.01", 9, "faults.probability.kmalloc"),
        Arguments.of("negative time", "at = 4s", "at = -4s", 15, "faults.events[4].at"),
        // impossible topologies and plans
        Arguments.of("a fault on an empty slot", "at = 3s, action = irq-storm, slot = \"0000:00:02.0\"",
            "at = 3s, action = irq-storm, slot = \"0000:00:09.0\"", 14, "faults.events[3].slot"),
        Arguments.of("an event after the end", "at = 6s", "at = 11s", 17, "faults.events[6].at"),
        Arguments.of("more CPUs than 64", "cpus = 2", "cpus = 65", 2, "machine.cpus"),
        Arguments.of("two devices in a slot", "slot = \"0000:00:03.0\" }\n]", "slot = \"0000:00:02.0\" }\n]", 5,
            "devices[1].slot"),
        Arguments.of("a moment the device never has", "when = with-irq-pending", "when = with-urbs-in-flight", 13,
            "faults.events[2].when"),
        Arguments.of("a moment without a slot", "at = 4s, action = spurious-irq }",
            "at = 4s, action = spurious-irq, when = during-probe }", 15, "faults.events[4].slot"),
        Arguments.of("a device action without a slot", "at = 6s, action = link-down, slot = \"0000:00:03.0\",",
            "at = 6s, action = link-down,", 17, "faults.events[6].slot"),
        Arguments.of("restore-after on an action nothing undoes", "count = 2 }", "count = 2, restore-after = 1s }", 16,
            "faults.events[5].restore-after"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void badFilesAreRejectedWithFileLineAndKey(String kind, String from, String to, int line, String key) {
    assertTrue(GOOD.contains(from), "test case does not apply: " + from);
    ScenarioException e = fails(GOOD.replaceFirst(java.util.regex.Pattern.quote(from),
        java.util.regex.Matcher.quoteReplacement(to)));
    assertEquals(key, e.key(), e.getMessage());
    assertEquals(line, e.line(), e.getMessage());
    assertTrue(e.getMessage().startsWith("plan.conf:" + line + ": " + key + ": "), e.getMessage());
  }

  @Test
  void aDriverThatNoDeviceCanMatchIsAnError() {
    String text = """
        scenario { name = "lonely", duration = 1s }
        devices = []
        drivers = [ { name = my_pcie } ]
        """;
    ScenarioException e = fails(text);
    assertEquals("drivers[0].name", e.key());
    assertEquals(3, e.line());
    assertTrue(e.getMessage().contains("no device of this scenario matches the ID table of driver my_pcie"),
        e.getMessage());
  }

  /** Drivers are matched by their ID tables against what the device models report, not by a type name. */
  @Test
  void aDriverWhoseIdTableMatchesNoDeviceIsAnError() {
    ScenarioException e = fails("""
        scenario { name = "mismatch", duration = 1s }
        devices = [ { type = ipu6-isys, slot = "0000:00:03.0" } ]
        drivers = [ { name = my_pcie } ]
        """);
    assertEquals("drivers[0].name", e.key());
    assertTrue(e.getMessage().contains("ipu6-isys in 0000:00:03.0 pci:v00008086d00009A19"), e.getMessage());
    ScenarioException usb = fails("""
        scenario { name = "mismatch", duration = 1s }
        devices = [ { type = sample-pcie, slot = "0000:00:02.0" } ]
        drivers = [ { name = my_usb } ]
        """);
    assertTrue(usb.getMessage().contains("ID table of driver my_usb"), usb.getMessage());
    // the same driver binds the device its table names, at any USB speed the device runs at
    assertEquals(1, ScenarioLoader.parse("ok.conf", """
        scenario { name = "match", duration = 1s }
        devices = [ { type = usb-bulk, slot = "1-1", speed = high } ]
        drivers = [ { name = my_usb } ]
        """).drivers().size());
  }

  @Test
  void theArticleScenarioIsValid() throws Exception {
    Scenario s = ScenarioLoader.load(java.nio.file.Path.of("..", "scenarios", "article-stress.conf"));
    assertEquals("article-stress", s.name());
    assertFalse(s.faults().recurring().isEmpty());
  }
}
