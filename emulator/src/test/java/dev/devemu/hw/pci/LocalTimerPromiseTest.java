package dev.devemu.hw.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.devemu.hw.device.pcie.SamplePcieDevice;
import dev.devemu.plugin.pci.PciBus;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.spec.DmaDirection;
import dev.devemu.spec.pci.PciAddress;
import dev.devemu.testbed.Sim;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link DeviceContext#scheduleLocal} is a promise that handling the timer sends nothing (time domains let the
 * other domains run past it): a model that raises an interrupt, starts DMA or schedules an ordinary timer while
 * handling one ends the run as an emulator error naming the device and the timer. Keeping the promise changes
 * nothing: the sample card's ADC conversions are local timers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalTimerPromiseTest {
  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("LocalTimerPromiseTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  /** The sample card, plus a local timer armed by every register write whose handling does {@code what}. */
  static final class PromiseBreaker implements PciDeviceModel {
    final SamplePcieDevice card = new SamplePcieDevice(2, 1000);
    final String what;

    PromiseBreaker(String what) {
      this.what = what;
    }

    @Override
    public String name() {
      return "promise breaker";
    }

    @Override
    public PciConfigSpace config() {
      return card.config();
    }

    @Override
    public long readBar(int bar, long offset, int size, DeviceContext dev) {
      return card.readBar(bar, offset, size, dev);
    }

    @Override
    public void writeBar(int bar, long offset, int size, long value, DeviceContext dev) {
      card.writeBar(bar, offset, size, value, dev);
      dev.scheduleLocal(1_000, "leak");
    }

    @Override
    public void onTimer(Object token, DeviceContext dev) {
      if ("quiet".equals(token)) return;
      if (!"leak".equals(token)) {
        card.onTimer(token, dev);
        return;
      }
      switch (what) {
        case "interrupt" -> dev.raiseInterrupt(0, dev.cause("leak"));
        case "dma" -> dev.dma(0x1000, 64, DmaDirection.TO_DEVICE, 1, dev.cause("leak"));
        case "timer" -> dev.schedule(1_000, "ordinary");
        default -> dev.scheduleLocal(1_000, "quiet"); // a local timer may schedule local timers
      }
    }
  }

  private Scenario with(String what) {
    Scenario base = Sim.scenario("""
        scenario { name = "local-timer", duration = 5ms }
        drivers = [ { name = my_pcie, variant = safe } ]
        devices = [ { type = sample-pcie, slot = "0000:00:02.0" } ]
        """);
    DeviceSpec spec = new DeviceSpec.Placed("promise-breaker", "0000:00:02.0", 0) {
      @Override
      public List<dev.devemu.kernel.driver.BindableDevice> enumerated() {
        return List.of();
      }

      @Override
      public void install(TestbedBuilder testbed) {
        testbed.bus(PciBus.class).addDevice(PciAddress.parse("0000:00:02.0"), new PromiseBreaker(what), true);
      }
    };
    return new Scenario(base.file(), base.name(), base.description(), base.durationNanos(), base.machine(),
        base.kernel(), List.of(spec), base.drivers(), base.faults(), base.workload(), base.source());
  }

  @Test
  void aLocalTimerThatSendsEndsTheRunAsAnEmulatorError() {
    for (String what : List.of("interrupt", "dma", "timer")) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> sim.run(with(what), 1), what);
      assertTrue(e.getMessage().startsWith("emulator error: "), e.getMessage());
      assertTrue(e.getMessage().contains("while handling its local timer leak"), e.getMessage());
    }
  }

  @Test
  void aLocalTimerThatKeepsItsPromiseIsJustATimer() {
    assertEquals("completed", sim.run(with("quiet"), 1).result().outcome());
  }
}
