package dev.devemu.driver.samples.usb;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Variant;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.DeliveryTrace;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.ReplayStrategy;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Runner;
import dev.devemu.testbed.Sim;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** my_usb, raw and safe: streaming, every errno path, the raw variant's races and the safe variant's absence of them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MyUsbTest {
  static final Path UNPLUG = Path.of("../scenarios/my_usb-unplug.conf");
  static final Path BASIC = Path.of("../scenarios/usb-basic.conf");

  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("MyUsbTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  static String scenario(String variant, String device, String faults, String duration, boolean panic) {
    return """
        scenario { name = "t", duration = %s }
        kernel { panic-on-oops = %s }
        machine { cpus = 2 }
        devices = [ { type = usb-bulk, slot = "1-1", %s } ]
        drivers = [ { name = my_usb, variant = %s } ]
        faults { %s }
        """.formatted(duration, panic, device, variant, faults);
  }

  RunResult run(String variant, String device, String faults, String duration) {
    return sim.run(Sim.scenario(scenario(variant, device, faults, duration, true)), 1).result();
  }

  static boolean logged(RunResult r, String text) {
    return r.kernelLog().stream().anyMatch(l -> l.contains(text));
  }

  static final String UNPLUG_AT_1MS = "events = [ { at = 1ms, action = unplug, slot = \"1-1\" } ]";

  @ParameterizedTest
  @ValueSource(strings = {"raw", "safe"})
  void atSuperSpeedPlusItBindsAndStreamsBothWays(String variant) {
    Runner.Outcome o = sim.run(Sim.scenario(scenario(variant, "data-rate = 40960000", UNPLUG_AT_1MS, "3ms", true)),
        7, new RandomWalkStrategy(), Runner.TraceMode.KEEP);
    RunResult r = o.result();
    if (variant.equals("safe")) assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
    assertTrue(logged(r, "my_usb: Probe succeeded for 1-1:1.0"));
    long in = 0;
    long out = 0;
    for (DeliveryTrace.Delivery d : o.trace().deliveries()) {
      if (!d.actor().equals("usb-1-1") || !d.message().startsWith("UrbSubmit(")) continue;
      if (d.message().endsWith(" ep 129)")) in++;
      if (d.message().endsWith(" ep 2)")) out++;
    }
    // 10 records per ms arrive; both endpoints carried traffic until the unplug
    assertTrue(in >= 5, "IN transfers at the device: " + in);
    assertTrue(out >= 3, "OUT transfers at the device: " + out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "safe"})
  void belowSuperSpeedPlusProbeFailsWithEnodev(String variant) {
    for (String speed : List.of("super", "high")) {
      RunResult r = run(variant, "speed = " + speed, "", "2ms");
      assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
      assertEquals(List.of("my_usb: probe of 1-1:1.0 failed with error -19 (ENODEV)"), r.probeFailures());
      assertTrue(logged(r, "my_usb: Unsupported USB speed: " + speed + "-speed"), r.kernelLog()::toString);
    }
  }

  @Test
  void aFailedUrbAllocationIsANullDerefInRawAndEnomemInSafe() {
    RunResult raw = run("raw", "", "probability { kmalloc = 1.0 }", "2ms");
    assertEquals(1, raw.oopses().size(), raw.oopses()::toString);
    assertEquals("null-deref", raw.oopses().get(0).detector());
    assertTrue(raw.oopses().get(0).title().startsWith("BUG: kernel NULL pointer dereference"));
    assertTrue(raw.oopses().get(0).body().stream().anyMatch(l -> l.startsWith("RIP: 0010:my_usb_probe")),
        raw.oopses().get(0)::format);

    RunResult safe = run("safe", "", "probability { kmalloc = 1.0 }", "2ms");
    assertTrue(safe.oopses().isEmpty(), safe.oopses()::toString);
    assertEquals(List.of("my_usb: probe of 1-1:1.0 failed with error -12 (ENOMEM)"), safe.probeFailures());
    assertTrue(logged(safe, "my_usb: Failed to allocate IN URB: -ENOMEM"));
  }

  @Test
  void aFailedSubmissionIsIgnoredByRawAndFailsSafeProbeWithEio() {
    String faults = "probability { usb_submit_urb = 1.0 }\n" + UNPLUG_AT_1MS;
    RunResult raw = run("raw", "", faults, "6s");
    assertTrue(raw.oopses().isEmpty(), raw.oopses()::toString);
    assertTrue(raw.probeFailures().isEmpty(), "raw probe returns 0 although nothing streams");
    // ... and disconnect waits 5 s for a completion that cannot come
    assertTrue(logged(raw, "my_usb: Timeout waiting for URB completion"), raw.kernelLog()::toString);

    RunResult safe = run("safe", "", faults, "6s");
    assertTrue(safe.oopses().isEmpty(), safe.oopses()::toString);
    assertEquals(List.of("my_usb: probe of 1-1:1.0 failed with error -5 (EIO)"), safe.probeFailures());
    assertTrue(logged(safe, "my_usb: Failed to submit IN URB: -ENOMEM"));
  }

  /** The shared bug (see {@link MyUsb}): one STALL, and each variant clears the halt from its completion handler. */
  @ParameterizedTest
  @ValueSource(strings = {"raw", "safe"})
  void aStallIsClearedFromTheCompletionHandlerInBothVariants(String variant) {
    RunResult r = run(variant, "data-rate = 40960000",
        "events = [ { at = 1ms, action = fail, point = usb_stall } ]", "3ms");
    assertEquals(1, r.oopses().size(), r.oopses()::toString);
    Oops o = r.oopses().get(0);
    assertEquals("atomic-sleep", o.detector(), o.format());
    assertEquals("my_usb", o.owner().driver());
    int clearHalt = o.body().indexOf(" usb_clear_halt");
    assertTrue(clearHalt > 0 && o.body().get(clearHalt + 1).equals(" my_usb_in_complete"),
        "usb_clear_halt called by the IN completion handler: " + o.format());
    assertTrue(o.body().stream().anyMatch(l -> l.endsWith("(hardirq)")), "in interrupt context: " + o.format());
    assertTrue(o.timeNanos() >= 1_000_000L, "after the STALL at 1 ms: " + o.timeNanos());
  }

  @Test
  void rawHitsItsRealBugsOnTheUnplugScenarioAndSafeDoesNotOnTheSameSeeds() {
    Scenario raw = ScenarioLoader.load(UNPLUG).withVariant(Variant.RAW);
    Scenario safe = ScenarioLoader.load(UNPLUG).withVariant(Variant.SAFE);
    TreeMap<String, List<Long>> found = new TreeMap<>();
    long seed = 0;
    while (seed < 150 && !(found.containsKey("kasan") && found.containsKey("null-deref"))) {
      seed++;
      for (Oops o : sim.run(raw, seed).result().oopses()) {
        found.computeIfAbsent(o.detector(), k -> new ArrayList<>()).add(seed);
        if (o.detector().equals("kasan")) {
          assertTrue(o.title().matches("BUG: KASAN: (slab-use-after-free in my_usb_(in|out)_complete"
              + "|use-after-free in dma_write by xhci)"), o.title());
        } else if (o.detector().equals("null-deref")) {
          assertTrue(o.body().stream().anyMatch(l -> l.contains("uninitialised completion my_usb.done")), o.format());
        } else {
          assertEquals("leak", o.detector(), o.format());
        }
      }
    }
    System.out.println("my_usb-unplug raw: first seeds per detector " + found + " (seeds run: " + seed + ")");
    assertTrue(found.containsKey("kasan"), "no use-after-free in " + seed + " seeds: " + found);
    assertTrue(found.containsKey("null-deref"), "no completion-before-init in " + seed + " seeds: " + found);
    for (long s = 1; s <= 40; s++) {
      RunResult r = sim.run(safe, s).result();
      assertTrue(r.oopses().isEmpty(), "safe, seed " + s + ": " + r.oopses());
      assertEquals("completed", r.outcome());
    }
  }

  @Test
  void theBasicScenarioIsCleanAndReplaysDeterministically() {
    Scenario basic = ScenarioLoader.load(BASIC).withDuration(100_000_000L);
    Runner.Outcome a = sim.run(basic, 42, new RandomWalkStrategy(), Runner.TraceMode.KEEP);
    Runner.Outcome b = sim.run(basic, 42);
    assertTrue(a.result().oopses().isEmpty(), a.result().oopses()::toString);
    assertEquals("completed", a.result().outcome());
    assertEquals(a.traceSha256(), b.traceSha256());
    assertEquals(a.result(), b.result());
    Runner.Outcome replayed = sim.run(basic, 42, new ReplayStrategy(a.trace().choices(), true), Runner.TraceMode.HASH);
    assertEquals(a.traceSha256(), replayed.traceSha256());
    assertNotEquals(a.traceSha256(), sim.run(basic, 43).traceSha256());
  }

  @Test
  void badUsbKeysAreRejectedWithFileLineAndKey() {
    ScenarioException slot = assertThrows(ScenarioException.class,
        () -> Sim.scenario(scenario("safe", "", "", "1ms", true).replace("\"1-1\"", "\"2-1\"")));
    assertTrue(slot.getMessage().contains("devices[0].slot"), slot.getMessage());
    ScenarioException speed = assertThrows(ScenarioException.class,
        () -> Sim.scenario(scenario("safe", "speed = low", "", "1ms", true)));
    assertTrue(speed.getMessage().contains("devices[0].speed") && speed.getMessage().contains("bulk"),
        speed.getMessage());
    ScenarioException point = assertThrows(ScenarioException.class,
        () -> Sim.scenario(scenario("safe", "", "probability { usb_stal = 0.1 }", "1ms", true)));
    assertTrue(point.getMessage().contains("usb_stall"), "the message lists the USB points: " + point.getMessage());
  }
}
