package dev.devemu.kunit.docs;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kunit.*;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A suite written only from docs/kunit.md (by someone reading the docs, not the code): my_usb against a rebadged
 * device bound through new_id and scripted endpoints. Where the docs did not say enough, they were fixed.
 */
class UsbEndpointSuiteTest {
  static final KunitSuite SUITE = KunitSuite.named("my_usb")
      .test("rebadged_device_binds_through_new_id", t -> {
        BedRun r = t.testbed().device(Mock.usb().ids(0x1d6b, 0x0104)).newId(0x1d6b, 0x0104).duration("2ms").run();
        t.expectErrno("probe_rc", r.probeRc(), "0");
        t.expectTrue("bound", r.boundNanos(t.variant().toString()) > 0);
      })
      .param("out_errors_are_logged", List.of("babble", "transaction-error"), t -> {
        Mock.Usb dev = Mock.usb().dataRate(40_960_000).out(t.param());
        BedRun r = t.testbed().device(dev).duration("2ms").run();
        t.expectTrue("logged(\"OUT URB completed with status\")", r.logged("OUT URB completed with status"));
      })
      .test("silent_endpoint_then_surprise_removal", t -> {
        Mock.Usb dev = Mock.usb().in("silent");
        BedRun r = t.testbed().device(dev).event("1ms", "surprise-unplug", dev.slot()).duration("10ms").run();
        t.expectTrue("logged(\"Disconnect completed\")", r.logged("my_usb: Disconnect completed"));
      })
      .build();

  @Test
  void theSuitePassesInTheSafeVariant() {
    try (dev.devemu.sim.SimHost host = dev.devemu.sim.SimHost.start("docs-suite", 1)) {
      KunitResults results = KunitRunner.run(host, List.of(SUITE),
          KunitRunner.Options.of(dev.devemu.kernel.Variant.SAFE));
      String ktap = KtapPrinter.toText(results);
      assertFalse(results.failed(), ktap);
      assertTrue(ktap.contains("ok 1 rebadged_device_binds_through_new_id"), ktap);
    }
  }
}
