package dev.devemu.driver.api.dma;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.datasheet.SamplePcieDatasheet;
import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.driver.api.pci.PciBindings;
import dev.devemu.driver.api.pci.SafePciDevice;
import dev.devemu.driver.api.pci.SafePciDriver;
import dev.devemu.hw.device.pcie.SamplePcieDevice;
import dev.devemu.kernel.pci.PciDeviceId;
import dev.devemu.plugin.pci.PciBus;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Sim;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The typed DMA API from a driver's side: sizes fixed at allocation and checked on every device address and CPU
 * access, freeing only with a proof that the device is quiesced (and not started since), no access after free,
 * and whatever is still allocated at unbind released by the engine itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DmaEngineTest {
  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("DmaEngineTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  /** A safe driver for the sample endpoint whose probe exercises the API and logs every answer. */
  static final class DmaProbe implements SafePciDriver<Object> {
    final List<String> log = new ArrayList<>();
    final List<DmaBuffer> kept = new ArrayList<>();
    int stops;

    @Override
    public String name() {
      return "dma_probe";
    }

    @Override
    public List<PciDeviceId> idTable() {
      return List.of(PciDeviceId.of(SamplePcieDatasheet.VENDOR, SamplePcieDatasheet.DEVICE));
    }

    private <T> Fallible<T> note(String what, Fallible<T> f) {
      return Fallible.of(f.op().map(r -> {
        log.add(what + "=" + r.describe());
        return r;
      }));
    }

    /** Logs the answer and goes on whatever it was. */
    private Fallible<Void> check(String what, Fallible<?> f) {
      return Fallible.of(note(what, f).op().map(r -> KResult.<Void>ok(null)));
    }

    @Override
    public Fallible<Object> probe(SafePciDevice pdev, PciDeviceId id) {
      return pdev.enableDeviceMem()
          .andThen(v -> pdev.iomapRegion(0, "dma_probe"))
          .andThen(bar -> Fallible.lift(pdev.setMaster()).andThen(v -> pdev.allocIrqVectors(1, 1)).map(n -> bar))
          .andThen(bar -> {
            DmaEngine dma = DmaEngine.create(pdev, 0, "dma_probe", () -> {
              stops++;
              return bar.write32(SamplePcieDatasheet.REG_CONTROL, 0);
            });
            return note("alloc(4096)", dma.allocFromDevice(4096, "probe buffer"))
                .orElse(errno -> Fallible.ok(null))
                .andThen(a -> a == null ? Fallible.ok(null) : exercise(dma, a))
                .andThen(v -> note("coherent(64)", dma.allocCoherent(64, "probe ring")).map(b -> {
                  kept.add(b);
                  return b;
                }).orElse(errno -> Fallible.ok(null)))
                .andThen(v -> check("alloc(0)", dma.allocFromDevice(0, "empty")))
                .andThen(v -> check("coherent(-5)", dma.allocCoherent(-5, "negative")));
          })
          .map(v -> (Object) this);
    }

    private Fallible<Void> exercise(DmaEngine dma, DmaBuffer a) {
      return Fallible.lift(dev.devemu.kernel.Op.step("sizes", x -> {
            log.add("size=" + a.size());
            return null;
          }))
          .andThen(v -> note("handle()", a.handle()).map(h -> {
            log.add("length=" + h.length());
            return (Void) null;
          }))
          .andThen(v -> check("handle(4000,200)", a.handle(4000, 200)))
          .andThen(v -> check("handle(-1,4)", a.handle(-1, 4)))
          .andThen(v -> check("cpuRead(4092,8)", a.cpuRead(4092, 8, "read past the end")))
          .andThen(v -> check("cpuRead(0,4)", a.cpuRead(0, 4, "read the header")))
          .andThen(v -> check("free(no proof)", dma.free(a, null)))
          .andThen(v -> dma.quiesce())
          .andThen(stale -> Fallible.lift(dma.started()).andThen(v -> check("free(stale proof)", dma.free(a, stale))))
          .andThen(v -> dma.quiesce())
          .andThen(proof -> check("free", dma.free(a, proof))
              .andThen(v -> check("handle() after free", a.handle()))
              .andThen(v -> check("cpuRead after free", a.cpuRead(0, 4, "read freed")))
              .andThen(v -> check("free again", dma.free(a, proof))));
    }
  }

  RunResult run(DmaProbe driver, String faults) {
    Scenario s = Sim.scenario("""
        scenario { name = "dma", duration = 10ms }
        devices = [ { type = sample-pcie, slot = "0000:00:02.0", interrupt-rate = 1 } ]
        faults {
          %s
          events = [ { at = 5ms, action = unplug, slot = "0000:00:02.0" } ]
        }
        """.formatted(faults));
    WorkloadSpec load = new WorkloadSpec() {
      @Override
      public String kind() {
        return "load-driver";
      }

      @Override
      public void install(TestbedBuilder testbed) {
        testbed.bus(PciBus.class).addDriver(PciBindings.safe(driver));
      }
    };
    return sim.run(new Scenario(s.file(), s.name(), s.description(), s.durationNanos(), s.machine(), s.kernel(),
        s.devices(), s.drivers(), s.faults(), List.of(load), s.source()), 1).result();
  }

  @Test
  void sizesAreCheckedFreeingNeedsAFreshProofAndUnbindReleasesTheRest() {
    DmaProbe driver = new DmaProbe();
    RunResult r = run(driver, "");
    assertTrue(r.oopses().isEmpty(), "no leak, no use-after-free: " + r.oopses());
    assertEquals(List.of("alloc(4096)=Ok", "size=4096", "handle()=Ok", "length=4096", "handle(4000,200)=Err(-EINVAL)",
        "handle(-1,4)=Err(-EINVAL)", "cpuRead(4092,8)=Err(-EINVAL)", "cpuRead(0,4)=Ok", "free(no proof)=Err(-EBUSY)",
        "free(stale proof)=Err(-EBUSY)", "free=Ok", "handle() after free=Err(-ENXIO)", "cpuRead after free=Err(-ENXIO)",
        "free again=Err(-EINVAL)", "coherent(64)=Ok", "alloc(0)=Err(-EINVAL)", "coherent(-5)=Err(-EINVAL)"),
        driver.log);
    assertEquals(1, driver.kept.size());
    assertFalse(driver.kept.get(0).live(), "the ring left allocated was freed by the engine at unbind");
    assertEquals(3, driver.stops, "two quiesces in probe, one at unbind");
  }

  @Test
  void aFailedMappingGivesItsMemoryBack() {
    DmaProbe driver = new DmaProbe();
    RunResult r = run(driver, "probability { dma_map = 1.0, dma_alloc_coherent = 1.0 }");
    assertTrue(r.oopses().isEmpty(), "the kmalloc'd buffer of the failed mapping is freed: " + r.oopses());
    assertEquals(List.of("alloc(4096)=Err(-ENOMEM)", "coherent(64)=Err(-ENOMEM)", "alloc(0)=Err(-EINVAL)",
        "coherent(-5)=Err(-EINVAL)"), driver.log);
  }
}
