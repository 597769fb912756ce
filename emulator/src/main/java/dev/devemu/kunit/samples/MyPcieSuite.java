package dev.devemu.kunit.samples;

import dev.devemu.kunit.BedRun;
import dev.devemu.kunit.KunitSuite;
import dev.devemu.kunit.Mock;
import java.util.List;

/** my_pcie against mock cards: the probe's refusals and error paths, and an interrupt racing remove. */
final class MyPcieSuite {
  private MyPcieSuite() {}

  static final KunitSuite SUITE = KunitSuite.named("my_pcie")
      .test("probe_binds_a_good_card", t -> {
        BedRun r = t.testbed().device(Mock.pci().interruptRate(1000)).run();
        t.expectErrno("probe_rc", r.probeRc(), "0");
        t.expectTrue("logged(\"Probe succeeded\")", r.logged("my_pcie: Probe succeeded"));
      })
      .test("binds_a_rebadged_card_through_new_id", t -> {
        // the same silicon under IDs its table does not list: bound only through new_id, and probed like its own
        BedRun r = t.testbed().device(Mock.pci().ids(0x8086, 0x1234).interruptRate(1000)).newId(0x8086, 0x1234).run();
        t.expectErrno("probe_rc", r.probeRc(), "0");
        t.expectTrue("logged(\"Probe succeeded\")", r.logged("my_pcie: Probe succeeded"));
      })
      .test("revision_below_0x02_is_enodev_and_leaks_nothing", t -> {
        // the leak check runs after the failed probe: anything not undone is a report, which fails the case
        BedRun r = t.testbed().device(Mock.pci().revision(0x01)).run();
        t.expectErrno("probe_rc", r.probeRc(), "ENODEV");
        t.expectTrue("logged(\"Unsupported revision ID: 0x1\")", r.logged("Unsupported revision ID: 0x1"));
      })
      .test("bar0_missing_fails_probe_cleanly", t -> {
        BedRun r = t.testbed().device(Mock.pci().noBar0()).run();
        t.expectNe("probe_rc", r.probeRc(), "0", 0);
      })
      .test("bar0_too_small_fails_probe_cleanly", t -> {
        BedRun r = t.testbed().device(Mock.pci().bar0Size(16).interruptRate(1000)).run();
        t.expectNe("probe_rc", r.probeRc(), "0", 0);
      })
      .test("no_msi_capability_fails_probe_cleanly", t -> {
        BedRun r = t.testbed().device(Mock.pci().noMsi()).run();
        t.expectNe("probe_rc", r.probeRc(), "0", 0);
      })
      .test("request_irq_failing_is_ebusy", t -> {
        BedRun r = t.testbed().device(Mock.pci()).fail("request_irq", 1.0).run();
        t.expectErrno("probe_rc", r.probeRc(), "EBUSY");
      })
      .param("every_probe_fault_is_a_clean_error",
          List.of("pci_enable_device", "pci_request_regions", "pci_iomap", "pci_alloc_irq_vectors", "request_irq",
              "kmalloc"),
          t -> {
            BedRun r = t.testbed().device(Mock.pci().interruptRate(1000)).fail(t.param(), 1.0).run();
            t.expectNe("probe_rc", r.probeRc(), "0", 0);
          })
      .concurrent("interrupt_racing_remove", 20, t -> {
        Mock.Pci card = Mock.pci().interruptRate(100_000);
        BedRun r = t.testbed().device(card).event("5ms", "unplug", card.slot()).duration("8ms").lookahead("50us")
            .run();
        t.expectTrue("bound_before_remove", r.boundNanos(t.variant().toString()) >= 4_000_000L);
      })
      .concurrent("interrupt_racing_surprise_removal", 20, t -> {
        Mock.Pci card = Mock.pci().interruptRate(100_000);
        t.testbed().device(card).event("5ms", "surprise-unplug", card.slot()).duration("8ms").lookahead("50us").run();
      })
      .build();
}
