package dev.devemu.driver.samples.pcie;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Oops;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Sim;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** my_pcie, raw and safe: probe paths, errno paths, and the two races of the raw variant. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MyPcieTest {
  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("MyPcieTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  static String scenario(String variant, String device, String faults, String duration) {
    return scenario(variant, device, faults, duration, true);
  }

  static String scenario(String variant, String device, String faults, String duration, boolean panic) {
    return """
        scenario { name = "t", duration = %s }
        kernel { panic-on-oops = %s }
        machine { cpus = 2, lookahead = 50us }
        devices = [ { type = sample-pcie, slot = "0000:00:02.0", %s } ]
        drivers = [ { name = my_pcie, variant = %s } ]
        faults { %s }
        """.formatted(duration, panic, device, variant, faults);
  }

  RunResult run(String text, long seed) {
    return sim.run(Sim.scenario(text), seed).result();
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "safe"})
  void probeBindsAndTheHandlerServesInterrupts(String variant) {
    RunResult r = run(scenario(variant, "interrupt-rate = 1000", "", "100ms"), 1);
    assertTrue(r.oopses().isEmpty(), () -> r.oopses().toString());
    assertTrue(r.exposureNanos().get("my_pcie/" + variant) > 90_000_000L);
    assertTrue(r.kernelLog().stream().anyMatch(l -> l.contains("my_pcie: Probe succeeded")));
    assertFalse(r.kernelLog().stream().anyMatch(l -> l.contains("nobody cared")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "safe"})
  void revisionBelowTwoIsRefusedWithEnodev(String variant) {
    RunResult r = run(scenario(variant, "revision = 1", "", "10ms", false), 1);
    assertTrue(r.probeFailures().contains("my_pcie: probe of 0000:00:02.0 failed with error -19 (ENODEV)"), r.probeFailures().toString());
    assertTrue(r.kernelLog().stream().anyMatch(l -> l.contains("Unsupported revision ID: 0x1")));
    if (variant.equals("raw")) {
      // C habit: the error path forgets to undo enable, the region and the mapping.
      assertEquals(1, r.oopses().size());
      assertEquals("leak", r.oopses().get(0).detector());
      assertTrue(r.oopses().get(0).body().stream().anyMatch(l -> l.contains("region")));
    } else {
      assertTrue(r.oopses().isEmpty(), "devres undoes a failed probe: " + r.oopses());
    }
  }

  @Test
  void rawIgnoresAFailedIomapAndDereferencesNull() {
    RunResult r = run(scenario("raw", "interrupt-rate = 1000", "probability { pci_iomap = 1.0 }", "10ms"), 1);
    assertEquals(1, r.oopses().size());
    Oops o = r.oopses().get(0);
    assertEquals("null-deref", o.detector());
    assertTrue(o.title().startsWith("BUG: kernel NULL pointer dereference"), o.title());
  }

  @Test
  void safePropagatesAFailedIomapAsAnError() {
    RunResult r = run(scenario("safe", "interrupt-rate = 1000", "probability { pci_iomap = 1.0 }", "10ms"), 1);
    assertTrue(r.oopses().isEmpty(), () -> r.oopses().toString());
    assertEquals(1, r.probeFailures().size());
    assertTrue(r.probeFailures().get(0).endsWith("(ENOMEM)"), r.probeFailures().toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"pci_enable_device", "pci_request_regions", "pci_alloc_irq_vectors", "request_irq", "kmalloc"})
  void safeTurnsEveryProbeFaultIntoACleanError(String point) {
    RunResult r = run(scenario("safe", "interrupt-rate = 1000", "probability { " + point + " = 1.0 }", "10ms"), 3);
    assertTrue(r.oopses().isEmpty(), () -> point + ": " + r.oopses());
    assertEquals(1, r.probeFailures().size(), point);
  }

  @Test
  void rawRemoveUnmapsBeforeFreeIrqAndAHandlerFaults() {
    String text = scenario("raw", "interrupt-rate = 100000",
        "events = [ { at = 5ms, action = unplug, slot = \"0000:00:02.0\" } ]", "8ms");
    int found = 0;
    for (long seed = 1; seed <= 30 && found == 0; seed++) {
      RunResult r = run(text, seed);
      for (Oops o : r.oopses()) {
        assertEquals("bad-mmio", o.detector(), o.title());
        assertTrue(o.title().startsWith("BUG: unable to handle page fault"), o.title());
        assertTrue(o.body().stream().anyMatch(l -> l.contains("after iounmap")), o.format());
        found++;
      }
    }
    assertTrue(found > 0, "30 seeds never hit the iounmap/free_irq window");
  }

  @Test
  void rawTrustsAllOnesAfterSurpriseRemoval() {
    String text = scenario("raw", "interrupt-rate = 100000",
        "events = [ { at = 5ms, action = surprise-unplug, slot = \"0000:00:02.0\" } ]", "8ms");
    boolean found = false;
    for (long seed = 1; seed <= 30 && !found; seed++) {
      for (Oops o : run(text, seed).oopses()) {
        assertEquals("bad-mmio", o.detector(), o.format());
        assertTrue(o.title().startsWith("BUG: KASAN: slab-out-of-bounds in my_pcie_irq"), o.title());
        found = true;
      }
    }
    assertTrue(found);
  }

  @ParameterizedTest
  @ValueSource(strings = {"unplug", "surprise-unplug"})
  void safeSurvivesTheSameUnplugs(String action) {
    String text = scenario("safe", "interrupt-rate = 100000",
        "events = [ { at = 5ms, action = " + action + ", slot = \"0000:00:02.0\" } ]", "8ms");
    for (long seed = 1; seed <= 30; seed++) {
      RunResult r = run(text, seed);
      assertTrue(r.oopses().isEmpty(), "seed " + seed + ": " + r.oopses());
      assertTrue(r.exposureNanos().get("my_pcie/safe") > 4_000_000L);
    }
  }

  /**
   * The bug both variants share (see {@link MyPcie}): a storm of interrupts with nothing to report makes the
   * handler mask its own line with disable_irq(), which sleeps; a few spurious interrupts do not.
   */
  @ParameterizedTest
  @ValueSource(strings = {"raw", "safe"})
  void anInterruptStormMakesTheHandlerCallDisableIrqInBothVariants(String variant) {
    // 3000 at 10 kHz, 100 us apart: farther apart than the lookahead (50 us), so they do not coalesce in the CPU
    String storm =
        "events = [ { at = 10ms, action = irq-storm, slot = \"0000:00:02.0\", count = 3000, rate = 10000 } ]";
    RunResult r = run(scenario(variant, "interrupt-rate = 1", storm, "300ms"), 1);
    assertEquals(1, r.oopses().size(), () -> r.oopses().toString());
    Oops o = r.oopses().get(0);
    assertEquals("BUG: sleeping function called from invalid context at disable_irq in my_pcie_irq", o.title());
    assertEquals("my_pcie", o.owner().driver());
    // at the 2000th interrupt of the storm
    assertTrue(o.timeNanos() >= 209_000_000L && o.timeNanos() < 211_000_000L, "at " + o.timeNanos());
    assertTrue(r.kernelLog().stream().anyMatch(
        l -> l.contains("my_pcie: interrupt storm (2000 interrupts with nothing to report, 0 with a sample)")));

    String spurious = "recurring = [ { action = spurious-irq, slot = \"0000:00:02.0\", mean-interval = 1ms } ]";
    RunResult quiet = run(scenario(variant, "interrupt-rate = 1000", spurious, "300ms"), 1);
    assertTrue(quiet.oopses().isEmpty(), () -> quiet.oopses().toString());
  }
}
