package dev.devemu.kunit;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.hw.device.usb.BulkUsbDevice;
import dev.devemu.hw.usb.UsbDeviceContext;
import dev.devemu.kernel.Variant;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.Cause;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.SimRandom;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The mock devices' features for driver tests: scripted USB endpoints answer exactly as scripted (and as usual after
 * the script), a STALL halts the endpoint, devices under other IDs bind only through new_id, and bad keys are
 * rejected with file:line:key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MockDevicesTest {
  SimHost host;

  @BeforeAll
  void start() {
    host = SimHost.start("MockDevicesTest", 1);
  }

  @AfterAll
  void stop() {
    host.close();
  }

  /** A device context that records answers and runs timers when asked. */
  static final class Recorder implements UsbDeviceContext {
    final List<long[]> answers = new ArrayList<>(); // seq, status, actual
    final List<Object> timers = new ArrayList<>();

    @Override
    public long now() {
      return 0;
    }

    @Override
    public SimRandom random() {
      return new SimRandom(1);
    }

    @Override
    public void schedule(long delayNanos, Object token) {
      assertTrue(delayNanos > 0, "an answer takes time on the wire");
      timers.add(token);
    }

    @Override
    public void complete(long seq, int status, int actualLength) {
      answers.add(new long[] {seq, status, actualLength});
    }

    @Override
    public void complete(long seq, int status, int actualLength, byte[] data) {
      complete(seq, status, actualLength);
    }

    @Override
    public boolean present() {
      return true;
    }

    @Override
    public UsbSpeed speed() {
      return UsbSpeed.SUPER_PLUS;
    }

    @Override
    public Cause cause(Supplier<String> what) {
      return null;
    }

    void fire(BulkUsbDevice model) {
      List<Object> due = new ArrayList<>(timers);
      timers.clear();
      for (Object t : due) model.onTimer(t, this);
    }
  }

  @Test
  void scriptedEndpointsAnswerAsScriptedThenAsUsual() {
    List<BulkUsbDevice.Step> in = new ArrayList<>();
    for (String s : List.of("short:100", "stall", "babble", "transaction-error", "silent", "data")) {
      in.add(BulkUsbDevice.Step.parse(s));
    }
    BulkUsbDevice model = new BulkUsbDevice(UsbSpeed.SUPER_PLUS, 1.0, 0, 0xabcd, 0x1234, in,
        List.of(BulkUsbDevice.Step.parse("transaction-error")));
    Recorder dev = new Recorder();
    model.onConfigured(1, dev);
    dev.timers.clear(); // the IN endpoint's production timer: not needed (1 byte/s)
    for (long seq = 1; seq <= 7; seq++) model.onTransfer(seq, 0x81, 4096, dev);
    model.onTransfer(8, 0x02, 512, dev);
    model.onTransfer(9, 0x02, 512, dev);
    dev.fire(model);
    List<String> got = dev.answers.stream().map(a -> a[0] + ":" + a[1] + ":" + a[2]).toList();
    assertEquals(List.of("1:0:100", "2:" + -Errno.EPIPE + ":0", "3:" + -Errno.EOVERFLOW + ":4096",
        "4:" + -Errno.EPROTO + ":0", "6:0:4096", "8:" + -Errno.EPROTO + ":0", "9:0:512"), got,
        "seq 5 (silent) never answers, seq 7 waits for data as usual");
  }

  /**
   * A scripted STALL halts the endpoint: my_usb never clears the OUT endpoint's halt, so every later OUT transfer
   * STALLs too, though the script has one step (without the halt, the second transfer would go through).
   */
  @Test
  void aStallHaltsTheEndpointUntilCleared() {
    KunitSuite suite = KunitSuite.named("stall_check").driver("my_usb")
        .test("out_stall_sticks", t -> {
          BedRun r = t.testbed().device(Mock.usb().dataRate(40_960_000).out("stall")).duration("2ms").run();
          t.expectTrue("loggedTimes(\"OUT URB completed with status -32\") > 1",
              r.loggedTimes("my_usb: OUT URB completed with status -32") > 1);
        })
        .build();
    KunitResults.Case c = KunitRunner.runSuite(host, suite, KunitRunner.Options.of(Variant.SAFE)).cases().get(0);
    assertEquals(KunitResults.Status.PASS, c.status(), c.log().toString());
  }

  @Test
  void badStepsAndNewIdsAreRejectedWithFileLineAndKey() {
    ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("t.conf", """
        scenario { name = t, duration = 1ms }
        devices = [ { type = usb-bulk, slot = "1-1", in-script = [ "data", "error:EILSEQ" ] } ]
        drivers = [ { name = my_usb } ]
        """));
    assertTrue(e.getMessage().startsWith("t.conf:2:") && e.getMessage().contains("in-script")
        && e.getMessage().contains("\"error:EILSEQ\" is not an endpoint step"), e.getMessage());
    e = assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("t.conf", """
        scenario { name = t, duration = 1ms }
        devices = [ { type = sample-pcie, slot = "0000:00:02.0" } ]
        drivers = [ { name = my_pcie, new-id = [ "8086-1234" ] } ]
        """));
    assertTrue(e.getMessage().startsWith("t.conf:3:") && e.getMessage().contains("new-id"), e.getMessage());
    e = assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("t.conf", """
        scenario { name = t, duration = 1ms }
        devices = [ { type = chardev, name = my_char } ]
        drivers = [ { name = my_char, new-id = [ "8086:1234" ] } ]
        """));
    assertTrue(e.getMessage().contains("new-id") && e.getMessage().contains("has no new_id"), e.getMessage());
  }

  /** Under other IDs the card matches no driver, so the testbed is not built; with new_id it binds and probes. */
  @Test
  void aCardUnderOtherIdsBindsOnlyThroughNewId() {
    KunitSuite suite = KunitSuite.named("new_id_check").driver("my_pcie")
        .test("without_new_id", t -> t.testbed().device(Mock.pci().ids(0x8086, 0x1234)).run())
        .test("with_new_id", t -> {
          BedRun r = t.testbed().device(Mock.pci().ids(0x8086, 0x1234).interruptRate(1000)).newId(0x8086, 0x1234)
              .run();
          t.expectErrno("probe_rc", r.probeRc(), "0");
          t.expectTrue("bound", r.boundNanos("safe") > 0);
        })
        .build();
    KunitSuite usb = KunitSuite.named("new_id_usb").driver("my_usb")
        .test("usb_with_new_id", t -> {
          BedRun r = t.testbed().device(Mock.usb().ids(0x1d6b, 0x0104)).newId(0x1d6b, 0x0104).duration("2ms").run();
          t.expectErrno("probe_rc", r.probeRc(), "0");
          t.expectTrue("bound", r.boundNanos("safe") > 0);
        })
        .build();
    KunitResults.Suite r = KunitRunner.runSuite(host, suite, KunitRunner.Options.of(Variant.SAFE));
    KunitResults.Case without = r.cases().get(0);
    assertEquals(KunitResults.Status.FAIL, without.status());
    assertTrue(String.join("\n", without.log()).contains("no device of this scenario matches the ID table of driver "
        + "my_pcie") && String.join("\n", without.log()).contains("pci:v00008086d00001234"), without.log().toString());
    assertEquals(KunitResults.Status.PASS, r.cases().get(1).status(), r.cases().get(1).log().toString());
    KunitResults.Case u = KunitRunner.runSuite(host, usb, KunitRunner.Options.of(Variant.SAFE)).cases().get(0);
    assertEquals(KunitResults.Status.PASS, u.status(), u.log().toString());
  }
}
