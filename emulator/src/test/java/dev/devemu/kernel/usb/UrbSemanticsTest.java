package dev.devemu.kernel.usb;

import static dev.devemu.kernel.usb.UrbTestDriver.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.sync.Completion;
import dev.devemu.spec.usb.UsbSetup;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Sim;
import dev.devemu.uapi.Errno;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * URBs as drivers meet them, against drivers/usb/core/urb.c and hcd.c: every completion status, every submit
 * error, unlink versus kill, what hot-unplug does to URBs in flight and to new submissions, the leak and
 * use-after-free reports, enumeration and sysfs. A scripted driver ({@link UrbTestDriver}) makes the calls.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UrbSemanticsTest {
  /** No data ever comes on IN: one 4096-byte record per ~68 minutes. */
  static final String IDLE = "data-rate = 1";
  /** A record every ~41 us. */
  static final String BUSY = "data-rate = 100000000";

  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("UrbSemanticsTest");
    install();
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  @BeforeEach
  void clean() {
    reset();
  }

  static String scenario(String device, String faults, String duration, boolean panic) {
    return """
        scenario { name = "urb", duration = %s }
        kernel { panic-on-oops = %s }
        machine { cpus = 2 }
        devices = [ { type = usb-bulk, slot = "1-1", %s } ]
        drivers = [ { name = urbtest, variant = raw } ]
        faults { %s }
        """.formatted(duration, panic, device, faults);
  }

  RunResult run(String device, String faults, String duration) {
    return sim.run(Sim.scenario(scenario(device, faults, duration, true)), 1).result();
  }

  RunResult runNoPanic(String device, String faults, String duration) {
    return sim.run(Sim.scenario(scenario(device, faults, duration, false)), 1).result();
  }

  static int index(String event) {
    int i = events.indexOf(event);
    assertTrue(i >= 0, "no event \"" + event + "\" in " + events);
    return i;
  }

  /** Submits a URB on {@code endpoint}, waits for its completion in process context, notes the status. */
  static Op<Integer> submitAndWait(UsbInterface intf, int endpoint) {
    Completion done = Completion.initialized("urbtest.done");
    UrbCallback cb = new UrbCallback("urbtest_complete", u -> done.complete());
    return bulkUrb(intf, endpoint, cb).then(u -> UsbCore.submitUrb(u)
        .then(rc -> rc < 0 ? Op.rc(rc) : done.waitForCompletionTimeout(1_000_000_000L)
            .then(left -> dev.devemu.driver.api.Mem.read(u.status)))
        .then(st -> UsbCore.freeUrb(u).map(v -> st)));
  }

  @Test
  void aTransferCompletesWithStatusZeroInInterruptContext() {
    probe = intf -> bulkUrb(intf, 0x81, new UrbCallback("in", u -> Op.step("ctx", x -> x.task().inInterrupt())
            .then(irq -> note("irq " + irq)).then(v -> dev.devemu.driver.api.Mem.read(u.status))
            .then(st -> dev.devemu.driver.api.Mem.read(u.actualLength).then(len -> note("in " + st + " " + len)))))
        .then(UsbCore::submitUrb).then(rc -> note("submit " + rc)).map(v -> 0);
    RunResult r = run(BUSY, "", "2ms");
    assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
    assertEquals(List.of("submit 0", "irq true", "in 0 4096"), events);
  }

  @Test
  void killWaitsForTheHandlerWhichSeesEnoentAndCannotResubmit() {
    UrbCallback resubmitting = new UrbCallback("in", u -> dev.devemu.driver.api.Mem.read(u.status)
        .then(st -> note("in " + st)).then(v -> UsbCore.submitUrb(u)).then(rc -> note("resubmit " + rc)));
    probe = intf -> bulkUrb(intf, 0x81, resubmitting).then(u -> UsbCore.submitUrb(u)
        .then(rc -> sleep(intf, 100_000)).then(note("kill")).then(UsbCore.killUrb(u)).then(note("killed"))
        .then(UsbCore.submitUrb(u)).then(rc -> note("submit after kill " + rc))
        .then(v -> UsbCore.killUrb(u)).then(UsbCore.freeUrb(u))).map(v -> 0);
    RunResult r = run(IDLE, "", "2ms");
    assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
    // the handler ran (-ENOENT) and its resubmission was refused (-EPERM) before usb_kill_urb returned
    assertEquals(List.of("kill", "in -2", "resubmit -1", "killed", "submit after kill 0", "in -2", "resubmit -1"),
        events);
  }

  @Test
  void unlinkReturnsAtOnceAndTheHandlerSeesEconnresetLater() {
    probe = intf -> bulkUrb(intf, 0x81, recorder("in")).then(u -> UsbCore.submitUrb(u)
        .then(rc -> sleep(intf, 100_000))
        .then(UsbCore.unlinkUrb(u)).then(rc -> note("unlink " + rc))
        .then(UsbCore.unlinkUrb(u)).then(rc -> note("unlink again " + rc))
        .then(sleep(intf, 100_000)).then(UsbCore.unlinkUrb(u)).then(rc -> note("unlink after completion " + rc))
        .then(UsbCore.killUrb(u)).then(UsbCore.freeUrb(u))).map(v -> 0);
    RunResult r = run(IDLE, "", "2ms");
    assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
    assertTrue(index("unlink -" + Errno.EINPROGRESS) < index("in -" + Errno.ECONNRESET + " 0"), events::toString);
    assertTrue(events.contains("unlink again -" + Errno.EBUSY), events::toString);
    assertTrue(events.contains("unlink after completion -" + Errno.EIDRM), events::toString);
  }

  @Test
  void submitErrorsFollowUsbSubmitUrb() {
    probe = intf -> UsbCore.submitUrb(null).then(rc -> note("null " + rc))
        .then(bulkUrb(intf, 0x81, null)).then(u -> UsbCore.submitUrb(u)).then(rc -> note("no handler " + rc))
        .then(bulkUrb(intf, 0x83, recorder("x"))).then(UsbCore::submitUrb).then(rc -> note("no endpoint " + rc))
        .then(UsbCore.allocUrb()).then(u -> UsbCore.fillBulkUrb(u, intf.device(), UsbPipe.rcvBulk(intf.device(), 1),
            null, -1, recorder("x"), null).then(UsbCore.submitUrb(u))).then(rc -> note("length " + rc))
        .then(bulkUrb(intf, 0x81, recorder("in"))).then(u -> UsbCore.submitUrb(u)
            .then(UsbCore.submitUrb(u)).then(rc -> note("twice " + rc)).then(UsbCore.killUrb(u)))
        .map(v -> 0);
    RunResult r = runNoPanic(IDLE, "", "2ms");
    assertTrue(events.containsAll(List.of("null -" + Errno.EINVAL, "no handler -" + Errno.EINVAL,
        "no endpoint -" + Errno.ENOENT, "length -" + Errno.EMSGSIZE, "twice -" + Errno.EBUSY)), events::toString);
    // the second submission of an active URB is the kernel's WARN
    assertEquals(1, r.oopses().stream().filter(o -> o.detector().equals("warn")).count(), r.oopses()::toString);
    assertTrue(r.oopses().get(0).title().contains("submitted while active"), r.oopses().get(0).title());
  }

  @Test
  void aFailedTdAllocationIsEnomem() {
    probe = intf -> bulkUrb(intf, 0x81, recorder("in")).then(UsbCore::submitUrb).then(rc -> note("submit " + rc))
        .map(v -> 0);
    RunResult r = run(BUSY, "probability { usb_submit_urb = 1.0 }", "1ms");
    assertTrue(events.contains("submit -" + Errno.ENOMEM), events::toString);
    assertTrue(r.oopses().isEmpty(), "enumeration is spared by the fault point: " + r.oopses());
  }

  @Test
  void deviceErrorsBecomeEprotoEpipeEoverflow() {
    for (String[] c : new String[][] {{"usb_transaction_error", "-71"}, {"usb_stall", "-32"}, {"usb_babble", "-75"}}) {
      reset();
      probe = intf -> bulkUrb(intf, 0x81, recorder("in")).then(UsbCore::submitUrb).map(v -> 0);
      RunResult r = run(BUSY, "probability { " + c[0] + " = 1.0 }", "1ms");
      assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
      assertTrue(events.get(0).startsWith("in " + c[1] + " "), c[0] + ": " + events);
    }
  }

  @Test
  void aStalledEndpointStaysHaltedUntilUsbClearHalt() {
    UsbSetup setHalt = new UsbSetup(UsbSetup.RECIP_ENDPOINT, UsbSetup.REQ_SET_FEATURE, UsbSetup.ENDPOINT_HALT, 0x81, 0);
    probe = intf -> UsbCore.controlMsg(intf.device(), setHalt, null, UsbHcd.CTRL_TIMEOUT_NANOS)
        .then(res -> note("set halt " + res.rc()))
        .then(submitAndWait(intf, 0x81)).then(st -> note("first " + st))
        .then(submitAndWait(intf, 0x81)).then(st -> note("second " + st))
        .then(UsbCore.clearHalt(intf.device(), UsbPipe.rcvBulk(intf.device(), 1))).then(rc -> note("clear " + rc))
        .then(submitAndWait(intf, 0x81)).then(st -> note("third " + st))
        .map(v -> 0);
    RunResult r = run(BUSY, "", "5ms");
    assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
    assertEquals(List.of("set halt 0", "first -32", "second -32", "clear 0", "third 0"), events);
  }

  @Test
  void surpriseUnplugFailsTransfersWithEprotoThenSubmissionsWithEnodev() {
    probe = intf -> bulkUrb(intf, 0x81, recorder("in")).then(UsbCore::submitUrb).map(v -> 0);
    disconnect = intf -> note("disconnect").then(bulkUrb(intf, 0x81, recorder("late")))
        .then(u -> UsbCore.submitUrb(u).then(rc -> note("submit " + rc)).then(UsbCore.freeUrb(u)));
    RunResult r = run(IDLE, "events = [ { at = 1ms, action = surprise-unplug, slot = \"1-1\" } ]", "4ms");
    assertTrue(index("in -" + Errno.EPROTO + " 0") < index("disconnect"), events::toString);
    assertTrue(events.contains("submit -" + Errno.ENODEV), events::toString);
    assertTrue(r.kernelLog().stream().anyMatch(l -> l.contains("usb 1-1: USB disconnect, device number 2")));
  }

  @Test
  void theCoreFlushesUrbsWithEshutdownBeforeDisconnectUnlessTheDriverHasSoftUnbind() {
    probe = intf -> bulkUrb(intf, 0x81, recorder("in")).then(u -> UsbCore.submitUrb(u)
        .then(UsbCore.setIntfData(intf, u))).map(v -> 0);
    disconnect = intf -> note("disconnect").then(UsbCore.getIntfData(intf)).then(u -> release((Urb) u));
    String unplug = "events = [ { at = 1ms, action = unplug, slot = \"1-1\" } ]";
    RunResult r = run(IDLE, unplug, "3ms");
    assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
    assertEquals(List.of("in -" + Errno.ESHUTDOWN + " 0", "disconnect"), events);

    reset();
    softUnbind = true;
    probe = intf -> bulkUrb(intf, 0x81, recorder("in")).then(u -> UsbCore.submitUrb(u)
        .then(UsbCore.setIntfData(intf, u))).map(v -> 0);
    disconnect = intf -> note("disconnect").then(UsbCore.getIntfData(intf)).then(u -> release((Urb) u));
    r = run(IDLE, unplug, "3ms");
    assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
    assertEquals(List.of("disconnect", "in -" + Errno.ENOENT + " 0"), events);
  }

  @Test
  void aReplugEnumeratesAndProbesTheDeviceAgain() {
    for (String first : List.of("unplug", "surprise-unplug")) {
      reset();
      probe = intf -> note("probe " + intf.name()).map(v -> 0);
      disconnect = intf -> note("disconnect");
      // the plug comes before the hub noticed the surprise removal (hotplug-detection is 1 ms)
      RunResult r = run(IDLE, """
          events = [
            { at = 1ms, action = %s, slot = "1-1" }
            { at = 1500us, action = plug, slot = "1-1" }
          ]""".formatted(first), "5ms");
      assertTrue(r.oopses().isEmpty(), r.oopses()::toString);
      assertEquals(List.of("probe 1-1:1.0", "disconnect", "probe 1-1:1.0"), events, first);
      assertEquals(2, r.kernelLog().stream().filter(l -> l.contains("USB device number")).count(), first);
    }
  }

  @Test
  void aUrbStillInFlightWhenDisconnectReturnsIsALeak() {
    softUnbind = true;
    probe = intf -> bulkUrb(intf, 0x81, recorder("in")).then(UsbCore::submitUrb).map(v -> 0);
    RunResult r = run(IDLE, "events = [ { at = 1ms, action = unplug, slot = \"1-1\" } ]", "3ms");
    assertEquals(1, r.oopses().size(), r.oopses()::toString);
    Oops o = r.oopses().get(0);
    assertEquals("leak", o.detector());
    assertTrue(o.body().stream().anyMatch(l -> l.contains("still held: urb in flight on 1-1 ep 0x81")), o.format());
    assertTrue(o.body().stream().anyMatch(l -> l.contains("struct urb")), "the URB itself is unfreed: " + o.format());
  }

  @Test
  void submittingAFreedUrbIsAUseAfterFree() {
    probe = intf -> bulkUrb(intf, 0x81, recorder("in")).then(u -> UsbCore.freeUrb(u).then(UsbCore.submitUrb(u)))
        .map(v -> 0);
    RunResult r = run(IDLE, "", "1ms");
    assertEquals(1, r.oopses().size(), r.oopses()::toString);
    assertEquals("BUG: KASAN: slab-use-after-free in usb_submit_urb", r.oopses().get(0).title());
    assertEquals("urbtest", r.oopses().get(0).owner().driver());
  }

  @Test
  void killingFromACompletionHandlerSleepsInAtomicContext() {
    probe = intf -> bulkUrb(intf, 0x81, new UrbCallback("in", UsbCore::killUrb)).then(UsbCore::submitUrb)
        .map(v -> 0);
    RunResult r = run(BUSY, "", "1ms");
    assertEquals(1, r.oopses().size(), r.oopses()::toString);
    assertTrue(r.oopses().get(0).title().startsWith("BUG: sleeping function called from invalid context at usb_kill_urb"),
        r.oopses().get(0).title());
  }

  @Test
  void whenTheHostControllerDiesUrbsEndAndSubmissionsFailWithEshutdown() {
    probe = intf -> bulkUrb(intf, 0x81, recorder("in")).then(u -> UsbCore.submitUrb(u)
        .then(intf.device().hcd().hcDied())
        .then(bulkUrb(intf, 0x81, recorder("late"))).then(UsbCore::submitUrb).then(rc -> note("submit " + rc)))
        .map(v -> 0);
    RunResult r = runNoPanic(IDLE, "", "3ms");
    assertEquals(List.of("in -" + Errno.ESHUTDOWN + " 0", "submit -" + Errno.ESHUTDOWN), events.subList(0, 2));
    assertTrue(r.kernelLog().stream().anyMatch(l -> l.contains("HC died; cleaning up")));
  }

  @Test
  void enumerationNamesTheSpeedAndRegistersTheInterfaceInSysfs() {
    probe = intf -> Op.step("sysfs", x -> x.kernel().sysfs().devices())
        .then(devs -> note(devs.stream().map(d -> d.bus() + " " + d.id() + " " + d.modalias()).toList().toString()))
        .then(note("speed " + intf.device().speed().linuxName())).map(v -> 0);
    RunResult r = run(BUSY + ", speed = high", "", "1ms");
    assertEquals(List.of("[usb 1-1:1.0 usb:vABCDp1234d0100dc00dsc00dp00icFFisc00ip00in00]", "speed high-speed"), events);
    assertTrue(r.kernelLog().stream().anyMatch(l -> l.endsWith("usb 1-1: new high-speed USB device number 2 using xhci_hcd")),
        r.kernelLog()::toString);
    assertTrue(r.kernelLog().stream().anyMatch(l -> l.endsWith(
        "usb 1-1: New USB device found, idVendor=abcd, idProduct=1234, bcdDevice= 1.00")));
  }
}
