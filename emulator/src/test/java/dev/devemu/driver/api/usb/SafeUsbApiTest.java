package dev.devemu.driver.api.usb;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.driver.api.Fallible;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.usb.UsbDeviceId;
import dev.devemu.plugin.usb.UsbBus;
import dev.devemu.scenario.Catalog;
import dev.devemu.scenario.DriverKind;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Sim;
import dev.devemu.uapi.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The safe USB API's guarantees: misuse is an Err instead of memory corruption, URBs are poisoned before anything
 * is freed at disconnect (a resubmitting handler is refused, not left running), and a failed probe gives
 * everything back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class SafeUsbApiTest {
  static Function<SafeUsbInterface, Fallible<SafeUrb>> script;
  static final List<String> events = new ArrayList<>();

  static Op<Void> note(String s) {
    return Op.step("note", x -> {
      events.add(s);
      return null;
    });
  }

  /** A safe driver whose probe runs {@link #script}. */
  public static final class ScriptedDriver implements SafeUsbDriver<SafeUrb> {
    @Override
    public String name() {
      return "safeurbtest";
    }

    @Override
    public List<UsbDeviceId> idTable() {
      return List.of(UsbDeviceId.device(0xabcd, 0x1234));
    }

    @Override
    public boolean softUnbind() {
      return true;
    }

    @Override
    public Fallible<SafeUrb> probe(SafeUsbInterface intf, UsbDeviceId id) {
      return script.apply(intf);
    }

    @Override
    public Fallible<Void> disconnect(SafeUrb urb) {
      return Fallible.lift(note("disconnect"));
    }
  }

  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("SafeUsbApiTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  RunResult run(String device, String faults) {
    events.clear();
    return sim.run(Sim.scenario("""
        scenario { name = "safe", duration = 3ms }
        machine { cpus = 2 }
        devices = [ { type = usb-bulk, slot = "1-1", %s } ]
        drivers = [ { name = safeurbtest } ]
        faults {
          %s
          events = [ { at = 1ms, action = unplug, slot = "1-1" } ]
        }
        """.formatted(device, faults)), 1).result();
  }

  static <T> Op<Void> noteResult(String what, Fallible<T> f) {
    return f.op().then(r -> note(what + " " + r.describe()));
  }

  @Test
  void misuseIsAnErrorAndDisconnectPoisonsBeforeFreeing() {
    script = intf -> Fallible.lift(noteResult("no such endpoint", intf.allocBulkUrb(0x83, 4096)))
        .andThen(v -> intf.allocBulkUrb(0x81, 4096))
        .andThen(urb -> Fallible.lift(noteResult("no handler", urb.submit())
            .then(noteResult("too long", urb.submit(8192)))
            .then(urb.onComplete("safeurbtest_complete", c -> c.result()
                .then(r -> note("complete " + r.describe()))
                .then(v -> c.resubmit().op()).then(r -> note("resubmit " + r.describe()))))
            .then(noteResult("submit", urb.submit()))).map(v -> urb));
    RunResult r = run("data-rate = 1", "");
    assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
    assertEquals(List.of("no such endpoint Err(-EINVAL)", "no handler Err(-EINVAL)", "too long Err(-EINVAL)",
        "submit Ok", "disconnect", "complete Err(-ENOENT)", "resubmit Err(-EPERM)"), events);
  }

  @Test
  void aFailedProbeGivesEverythingBack() {
    script = intf -> intf.allocBulkUrb(0x81, 4096)
        .andThen(urb -> Fallible.lift(urb.onComplete("safeurbtest_complete", c -> note("complete")))
            .andThen(v -> urb.submit()))
        .andThen(v -> intf.allocBulkUrb(0x02, 4096))
        .andThen(urb -> Fallible.err(Errno.EIO));
    RunResult r = run("data-rate = 1", "");
    // the submitted URB was killed, both URBs and buffers freed: no leak, no late completion
    assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
    assertEquals(List.of("safeurbtest: probe of 1-1:1.0 failed with error -5 (EIO)"), r.probeFailures());
    assertEquals(List.of("complete"), events, "the in-flight URB completed once, when it was poisoned");
  }

  @Test
  void allocationFailuresAreEnomem() {
    script = intf -> intf.allocBulkUrb(0x81, 4096).onErr(e -> note("alloc " + Errno.describe(-e)));
    RunResult r = run("data-rate = 1", "probability { kmalloc = 1.0 }");
    assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
    assertEquals(List.of("alloc -ENOMEM"), events);
    assertEquals(List.of("safeurbtest: probe of 1-1:1.0 failed with error -12 (ENOMEM)"), r.probeFailures());
  }

  @Test
  void theCompletionWaitIsBounded() {
    dev.devemu.driver.api.SafeCompletion done = new dev.devemu.driver.api.SafeCompletion("never");
    script = intf -> Fallible.lift(done.waitTimeout(200_000).op().then(r -> note("wait " + r.describe())))
        .andThen(v -> intf.allocBulkUrb(0x81, 64));
    RunResult r = run("data-rate = 1", "");
    assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
    assertEquals("wait Err(-ETIMEDOUT)", events.get(0));
  }
}
