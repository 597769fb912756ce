package dev.devemu.plugin.process;

import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.userspace.workload.NodeExerciser;
import dev.devemu.userspace.workload.ProcessWorkload;

/** {@code kind = process} in a testbed: {@code processes} user processes running {@link NodeExerciser}. */
public record ProcessWorkloadSpec(ProcessWorkload workload) implements WorkloadSpec {
  @Override
  public String kind() {
    return ProcessWorkloadKind.KIND;
  }

  @Override
  public void install(TestbedBuilder testbed) {
    for (int i = 0; i < workload.processes(); i++) {
      testbed.spawnProcess(workload.comm(), new NodeExerciser(workload), workload.startNanos());
    }
  }
}
