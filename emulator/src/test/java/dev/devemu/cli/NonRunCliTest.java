package dev.devemu.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.campaign.RunKey;
import dev.devemu.campaign.RunRecord;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.NonRun;
import dev.devemu.testbed.Runner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17.3: a run in which the driver under test never bound is reported as such, never as "no bug". */
class NonRunCliTest {
  @TempDir
  Path tmp;

  /** my_usb refuses anything but a SuperSpeedPlus link with -ENODEV: its probe fails on every device. */
  static final String PROBE_FAILS = """
      scenario { name = "usb-high-speed", duration = 20ms }
      machine { cpus = 2 }
      devices = [ { type = usb-bulk, slot = "1-1", speed = high } ]
      drivers = [ { name = my_usb, variant = safe } ]
      """;

  /** A PCI driver and no PCI device: it matches nothing. */
  static final String NO_MATCH = """
      scenario { name = "no-device", duration = 20ms }
      machine { cpus = 2 }
      devices = [ ]
      drivers = [ { name = my_pcie, variant = safe } ]
      """;

  Path write(String name, String text) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void runOfADriverWhoseProbeFailsExitsFourWithTheProbesReturnCode() throws Exception {
    CliTest.Result r = CliTest.devemu("run", write("s.conf", PROBE_FAILS).toString(), "--seed", "1");
    assertEquals(ExitCodes.NOT_BOUND, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("my_usb never bound: my_usb: probe of 1-1"), r.err());
    assertTrue(r.err().contains("failed with error -19 (ENODEV)"), r.err());
    assertTrue(r.out().contains("outcome=not-bound"), r.out());
  }

  @Test
  void theReasonIsGivenForADriverKindThatRegistersUnderAnotherNameAndRepeatsAreCounted() throws Exception {
    // zoo_usb registers as my_usb, so its probe failures are logged as my_usb's; the device is plugged in twice
    String s = PROBE_FAILS.replace("name = my_usb, variant = safe", "name = zoo_usb, variant = raw")
        + "faults { events = [ { at = 5ms, action = unplug, slot = \"1-1\", restore-after = 1ms } ] }\n";
    CliTest.Result r = CliTest.devemu("run", write("z.conf", s).toString(), "--seed", "1");
    assertEquals(ExitCodes.NOT_BOUND, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("zoo_usb never bound: my_usb: probe of 1-1:1.0 failed with error -19 (ENODEV) "
        + "(2 times)"), r.err());
  }

  @Test
  void aDriverThatCanMatchNothingIsRejectedBeforeTheRun() throws Exception {
    // the loader knows the ID tables: a driver no device matches is bad input, with file, line and key
    CliTest.Result r = CliTest.devemu("run", write("s.conf", NO_MATCH).toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("s.conf:4: drivers[0].name: no device of this scenario matches"), r.err());
  }

  @Test
  void exploreSaysNotARunInsteadOfNoBug() throws Exception {
    CliTest.Result r = CliTest.devemu("explore", write("s.conf", PROBE_FAILS).toString(), "--seeds", "3");
    assertEquals(ExitCodes.NOT_BOUND, r.code(), r.out() + r.err());
    assertFalse(r.out().contains("no bug"), r.out());
    assertTrue(r.out().contains("3 of 3 runs tested nothing"), r.out());
    CliTest.Result stats = CliTest.devemu("explore", write("t.conf", PROBE_FAILS).toString(), "--seeds", "2",
        "--stats");
    assertEquals(ExitCodes.NOT_BOUND, stats.code(), stats.out() + stats.err());
    assertTrue(stats.out().contains("| 0 | 0.0% | - | > 2 | - | 2 |"), stats.out());
  }

  @Test
  void aCampaignRecordOfANonRunHasNoExposure() throws Exception {
    Scenario s = ScenarioLoader.load(write("s.conf", PROBE_FAILS));
    try (SimHost host = SimHost.start("NonRunCliTest", 1)) {
      var result = Runner.run(host, 0, s, 1, Runner.Options.defaults()).result();
      assertEquals(NonRun.OUTCOME, result.outcome());
      assertTrue(NonRun.of(s, result).isPresent());
      RunRecord rec = RunRecord.of(new RunKey(1, dev.devemu.kernel.Variant.SAFE), result);
      assertEquals(NonRun.OUTCOME, rec.outcome());
      assertEquals(0, rec.totalExposureNanos());
    }
  }
}
