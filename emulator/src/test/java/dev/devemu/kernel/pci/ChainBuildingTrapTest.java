package dev.devemu.kernel.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.devemu.datasheet.SamplePcieDatasheet;
import dev.devemu.driver.api.pci.RawPciDriver;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Op;
import dev.devemu.testbed.KernelBench;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Sim;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 17.3's trap, caught where it happens: {@code .then(requestIrq(pci_irq_vector(pdev, 0), …))} computes the
 * IRQ number while the chain is built, before its pci_alloc_irq_vectors ran. It used to give -EINVAL quietly, then
 * request_irq's -EINVAL, then a probe failing on every seed (a non-run). Now pci_irq_vector fails at once, as a
 * kernel BUG in the probe whose text says what to write instead; Linux's -EINVAL stays for a call after a failed
 * (or freed) allocation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChainBuildingTrapTest {
  static final String DEVICE = "{ type = sample-pcie, slot = \"0000:00:02.0\", interrupt-rate = 1 }";
  static final Irqs.Handler HANDLER = (irq, devId) -> Op.pure(Irqs.IrqReturn.HANDLED);

  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("ChainBuildingTrapTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  /** A driver whose probe enables the card, allocates one vector and goes on with {@code rest}. */
  static RawPciDriver driver(Function<PciFunction, Op<Integer>> rest) {
    return new RawPciDriver() {
      @Override
      public String name() {
        return "trapdrv";
      }

      @Override
      public List<PciDeviceId> idTable() {
        return List.of(PciDeviceId.of(SamplePcieDatasheet.VENDOR, SamplePcieDatasheet.DEVICE));
      }

      @Override
      public Op<Integer> probe(PciFunction pdev, PciDeviceId id) {
        return PciCore.enableDevice(pdev).then(PciCore.allocIrqVectors(pdev, 1, 1)).then(rest.apply(pdev));
      }

      @Override
      public Op<Void> remove(PciFunction pdev) {
        return PciCore.disableDevice(pdev);
      }
    };
  }

  RunResult run(RawPciDriver d, String... faults) {
    KernelBench bench = KernelBench.cpus(1).duration("5ms").device(DEVICE).pciDriver(d);
    for (String f : faults) bench.faults(f);
    return bench.run(sim, 1).runs().get(0);
  }

  @Test
  void anIrqNumberComputedWhileTheChainIsBuiltFailsAtOnceAndSaysWhatToWrite() {
    // the trap: pci_irq_vector is an argument, evaluated when probe builds its chain
    RunResult r = run(driver(pdev -> Irqs.requestIrq(PciCore.irqVector(pdev, 0), HANDLER, "trapdrv", pdev)));
    assertEquals(1, r.oopses().size(), r.oopses().toString());
    Oops o = r.oopses().get(0);
    assertEquals("kernel BUG in trapdrv_probe: ChainBuildingTrap", o.title());
    String text = o.format();
    assertTrue(text.contains("pci_irq_vector(0000:00:02.0, 0) was called before pci_alloc_irq_vectors ever ran on "
        + "this device"), text);
    assertTrue(text.contains("compute it inside the step that needs it, .then(x -> f(pci_irq_vector(...))), or in "
        + "Op.defer(() -> ...)"), text);
    // at once: while the chain was built, before its first kernel call (pci_enable_device) ran
    assertTrue(text.contains("RIP: trapdrv_probe ()"), text); // no kernel call of the probe had run yet
    assertFalse("not-bound".equals(r.outcome()), "a trap must not pass for a non-run");
  }

  @Test
  void theSameValueComputedInsideTheStepIsWhatLinuxGives() {
    RunResult r = run(driver(pdev -> Op.defer(() -> Irqs.requestIrq(PciCore.irqVector(pdev, 0), HANDLER, "trapdrv",
        pdev))));
    assertTrue(r.oopses().isEmpty(), r.oopses().toString());
    assertTrue(r.probeFailures().isEmpty(), r.probeFailures().toString());
  }

  @Test
  void afterAFailedAllocationPciIrqVectorStillReturnsMinusEinval() {
    // a C-habit driver that ignores pci_alloc_irq_vectors' error: Linux semantics, no trap report
    RunResult r = run(driver(pdev -> Op.defer(() -> Irqs.requestIrq(PciCore.irqVector(pdev, 0), HANDLER, "trapdrv",
        pdev))), "probability { pci_alloc_irq_vectors = 1.0 }");
    assertTrue(r.oopses().isEmpty(), r.oopses().toString());
    assertEquals(1, r.probeFailures().size(), r.probeFailures().toString());
    assertTrue(r.probeFailures().get(0).endsWith("failed with error -22 (EINVAL)"), r.probeFailures().toString());
  }
}
