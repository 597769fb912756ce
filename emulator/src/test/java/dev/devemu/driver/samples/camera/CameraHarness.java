package dev.devemu.driver.samples.camera;

import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Sim;
import dev.devemu.userspace.UserProgram;
import java.util.ArrayList;
import java.util.List;

/** Scenario text for one IPU6 ISYS and ipu6_isys, with user programs the test keeps a hand on. */
final class CameraHarness {
  private CameraHarness() {}

  static String scenario(String variant, String device, String faults, String duration) {
    return scenario(variant, device, faults, duration, 2, false);
  }

  static String scenario(String variant, String device, String faults, String duration, int cpus, boolean iommu) {
    return """
        scenario { name = "camera-test", duration = %s }
        machine { cpus = %d, lookahead = 20us, iommu = %s }
        devices = [ { type = ipu6-isys, slot = "0000:00:05.0", %s } ]
        drivers = [ { name = ipu6_isys, variant = %s } ]
        faults { %s }
        """.formatted(duration, cpus, iommu, device, variant, faults);
  }

  /** The scenario with {@code programs} started as processes at {@code startNanos}. */
  static Scenario withPrograms(Scenario s, long startNanos, UserProgram... programs) {
    List<WorkloadSpec> work = new ArrayList<>(s.workload());
    for (UserProgram p : programs) {
      work.add(new WorkloadSpec() {
        @Override
        public String kind() {
          return "test-program";
        }

        @Override
        public void install(TestbedBuilder testbed) {
          testbed.spawnProcess("capture", p, startNanos);
        }
      });
    }
    return new Scenario(s.file(), s.name(), s.description(), s.durationNanos(), s.machine(), s.kernel(), s.devices(),
        s.drivers(), s.faults(), List.copyOf(work), s.source());
  }

  static RunResult run(Sim sim, String text, long seed, UserProgram... programs) {
    return sim.run(withPrograms(Sim.scenario(text), 1_000_000L, programs), seed).result();
  }
}
