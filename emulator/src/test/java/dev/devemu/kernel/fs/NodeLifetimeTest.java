package dev.devemu.kernel.fs;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.KernelConfig;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Variant;
import dev.devemu.scenario.FaultPlan;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.sim.Cause;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Sim;
import dev.devemu.testsupport.ScriptedProgram;
import dev.devemu.uapi.Errno;
import dev.devemu.userspace.Syscall;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node's registration and the opens of it are serialised, as misc_mtx does: an unbind waits for an open. */
class NodeLifetimeTest {
  static final long MS = 1_000_000L;

  /** A driver whose open sleeps for 2 ms (a firmware load, a hardware reset). */
  static final class SlowOpen implements FileOperations {
    @Override
    public Op<Integer> open(File file) {
      return Op.step("kernel", x -> x.kernel()).then(k -> k.sleep("msleep", 2 * MS)).map(v -> 0);
    }
  }

  @Test
  void unregisteringWaitsForAnOpenInFlightAndLaterOpensFail() {
    long[] unregisteredAt = {-1};
    ScriptedProgram p = new ScriptedProgram(
        c -> Syscall.open("/dev/slow", File.O_RDWR),   // from 1 ms; the driver's open runs until 3 ms
        c -> Syscall.open("/dev/slow", File.O_RDWR));  // after the node is gone
    Owner owner = new Owner("slow", Variant.RAW, "-");
    WorkloadSpec setup = new WorkloadSpec() {
      @Override
      public String kind() {
        return "test";
      }

      @Override
      public void install(TestbedBuilder tb) {
        tb.onStart(s -> {
          s.kernel().spawn(0, "insmod", owner, Cause.root("test", 0, "module_init"),
              Vfs.registerChrdev("/dev/slow", new SlowOpen()), null);
          s.kernel().clock().schedule(2 * MS, "rmmod", () -> s.kernel().spawn(1, "rmmod", owner,
              Cause.root("test", 2 * MS, "module_exit"), Vfs.unregisterChrdev("/dev/slow"),
              (task, result) -> unregisteredAt[0] = s.kernel().now()));
        });
        tb.spawnProcess("opener", p, MS);
      }
    };
    Scenario s = new Scenario("<test>", "nodes", "", 10 * MS,
        new Scenario.Machine(2, false, Irqs.Affinity.ROUND_ROBIN, 20_000, MS), KernelConfig.DEFAULT,
        List.of(), List.of(), FaultPlan.NONE, List.of(setup), "");
    try (Sim sim = new Sim("NodeLifetimeTest")) {
      RunResult r = sim.run(s, 1).result();
      assertTrue(r.oopses().isEmpty(), () -> r.oopses().toString());
      assertEquals(List.of(3L, (long) -Errno.ENOENT), p.results());
      assertTrue(unregisteredAt[0] >= 3 * MS, "the unregister waited for the open: " + unregisteredAt[0]);
    }
  }
}
