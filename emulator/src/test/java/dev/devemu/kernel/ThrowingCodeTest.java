package dev.devemu.kernel;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.driver.api.Mem;
import dev.devemu.hw.pci.DeviceContext;
import dev.devemu.hw.pci.PciConfigSpace;
import dev.devemu.hw.pci.PciDeviceModel;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.plugin.pci.PciBus;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.spec.pci.PciAddress;
import dev.devemu.testbed.KernelBench;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Sim;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Code that throws: a driver model's exception is a bug of that driver, reported as {@code kernel BUG} while the
 * machine goes on; a device model's exception is a bug of the emulator, and the run says so instead of hiding it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThrowingCodeTest {
  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("ThrowingCodeTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  static final class Counter extends KStruct {
    final Field<Long> n = field("n", 8, 0L);

    Counter() {
      super("struct counter");
    }
  }

  @Test
  void aDriverThatThrowsIsAKernelBugOfThatDriverAndTheMachineGoesOn() {
    Counter c = new Counter();
    KernelBench.Findings f = KernelBench.cpus(2).kernel("panic-on-oops = false").duration("10ms").tasks(w -> List.of(
        w.task("bad", 0, Op.fn("bench_bad", () -> Op.step("compute", x -> {
          throw new ArithmeticException("/ by zero");
        }))),
        w.task("good", 1, Op.fn("bench_good", () -> Mem.kzalloc(c).then(Mem.write(c.n, 41L))
            .then(Mem.read(c.n)).then(v -> Mem.write(c.n, v + 1)))))).run(sim, 1);
    Oops o = f.first("bug");
    assertEquals("kernel BUG in bench_bad: ArithmeticException", o.title());
    assertEquals(KernelBench.OWNER, o.owner(), "blamed on the driver whose code threw");
    assertTrue(o.format().contains("Driver model exception: java.lang.ArithmeticException: / by zero"), o.format());
    assertEquals("completed", f.runs().get(0).outcome(), "the emulator went on to the end of the run");
    assertEquals(42L, c.n.peek(), "the other CPU's task ran to its end");
  }

  @Test
  void aDriverThatBuildsANullProgramIsAKernelBugToo() {
    KernelBench.Findings f = KernelBench.cpus(1).tasks(w -> List.of(w.task("bad", 0,
        Op.fn("bench_null", () -> Op.done().then(v -> (Op<Void>) null))))).run(sim, 1);
    assertEquals("kernel BUG in bench_null: NullPointerException", f.first("bug").title());
  }

  /** A device model with a bug of its own: its register decoder throws (my_pcie's probe writes CONTROL). */
  static final class BrokenDevice implements PciDeviceModel {
    final PciConfigSpace config = PciConfigSpace.builder(0x1234, 0x5678).revision(2).classCode(0xff0000)
        .memoryBar(0, 4096, false, false).msi(1, false).build();

    @Override
    public String name() {
      return "broken";
    }

    @Override
    public PciConfigSpace config() {
      return config;
    }

    @Override
    public long readBar(int bar, long offset, int size, DeviceContext dev) {
      throw new IllegalStateException("register decoder has a bug");
    }

    @Override
    public void writeBar(int bar, long offset, int size, long value, DeviceContext dev) {
      throw new IllegalStateException("register decoder has a bug");
    }
  }

  @Test
  void aDeviceModelThatThrowsEndsTheRunAsAnEmulatorErrorNotADriverBug() {
    Scenario base = Sim.scenario("""
        scenario { name = "broken", duration = 20ms }
        drivers = [ { name = my_pcie, variant = safe } ]
        devices = [ { type = sample-pcie, slot = "0000:00:02.0" } ]
        """);
    DeviceSpec broken = new DeviceSpec.Placed("broken", "0000:00:02.0", 0) {
      @Override
      public List<dev.devemu.kernel.driver.BindableDevice> enumerated() {
        return List.of();
      }

      @Override
      public void install(TestbedBuilder testbed) {
        testbed.bus(PciBus.class).addDevice(PciAddress.parse("0000:00:02.0"), new BrokenDevice(), true);
      }
    };
    Scenario s = new Scenario(base.file(), base.name(), base.description(), base.durationNanos(), base.machine(),
        base.kernel(), List.of(broken), base.drivers(), base.faults(), base.workload(), base.source());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> sim.run(s, 1));
    assertTrue(e.getMessage().startsWith("emulator error: "), e.getMessage());
    assertTrue(e.getMessage().contains("register decoder has a bug"), e.getMessage());
    // the host is still usable afterwards: the next run on the same lane is clean
    RunResult next = sim.run(base, 1).result();
    assertEquals("completed", next.outcome());
    assertTrue(next.oopses().isEmpty());
  }
}
