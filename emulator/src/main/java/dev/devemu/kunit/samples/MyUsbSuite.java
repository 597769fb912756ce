package dev.devemu.kunit.samples;

import dev.devemu.kunit.BedRun;
import dev.devemu.kunit.KunitSuite;
import dev.devemu.kunit.Mock;
import java.util.List;

/**
 * my_usb against a mock bulk device: the speed check, allocation and submission failures, disconnect with URBs in
 * flight, URB statuses in the completion handler. (The 5 s disconnect wait is not a case yet: a mock route that
 * reaches it in the safe variant — a halt that cannot be cleared — is still to be written.)
 */
final class MyUsbSuite {
  private MyUsbSuite() {}

  static final KunitSuite SUITE = KunitSuite.named("my_usb")
      .test("binds_at_superspeed_plus", t -> {
        Mock.Usb dev = Mock.usb().dataRate(40_960_000);
        BedRun r = t.testbed().device(dev).duration("2ms").run();
        t.expectErrno("probe_rc", r.probeRc(), "0");
        t.expectTrue("logged(\"Probe succeeded\")", r.logged("my_usb: Probe succeeded for 1-1:1.0"));
      })
      .param("below_superspeed_plus_is_enodev", List.of("full", "high", "super"), t -> {
        BedRun r = t.testbed().device(Mock.usb().speed(t.param())).duration("2ms").run();
        t.expectErrno("probe_rc", r.probeRc(), "ENODEV");
        t.expectTrue("logged(\"Unsupported USB speed\")", r.logged("my_usb: Unsupported USB speed: " + t.param()));
      })
      .test("urb_allocation_failing_is_enomem", t -> {
        BedRun r = t.testbed().device(Mock.usb()).fail("kmalloc", 1.0).duration("2ms").run();
        t.expectErrno("probe_rc", r.probeRc(), "ENOMEM");
      })
      .test("urb_submission_failing_fails_probe", t -> {
        BedRun r = t.testbed().device(Mock.usb()).fail("usb_submit_urb", 1.0).duration("2ms").run();
        t.expectNe("probe_rc", r.probeRc(), "0", 0);
      })
      .concurrent("disconnect_with_urbs_in_flight", 10, t -> {
        Mock.Usb dev = Mock.usb().dataRate(40_960_000);
        BedRun r = t.testbed().device(dev).event("1ms", "unplug", dev.slot()).duration("3ms").run();
        t.expectTrue("bound_before_disconnect", r.boundNanos(t.variant().toString()) > 0);
      })
      .param("completion_handles_every_urb_status",
          List.of("usb_babble", "usb_transaction_error", "usb_stall"),
          t -> {
            // -EOVERFLOW, -EPROTO, -EPIPE from the device; -ENOENT/-ESHUTDOWN come with the unplug at 2 ms
            Mock.Usb dev = Mock.usb().dataRate(40_960_000);
            BedRun r = t.testbed().device(dev).failAt("1ms", t.param())
                .event("2ms", "unplug", dev.slot()).duration("3ms").run();
            t.expectTrue("logged(\"URB completed with status\")", r.logged("URB completed with status")
                || r.logged("clear halt") || r.logged("STALL"));
          })
      .build();
}
