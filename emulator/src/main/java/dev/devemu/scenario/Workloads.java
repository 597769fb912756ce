package dev.devemu.scenario;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Every workload kind a scenario can list. A new workload generator adds one line here. */
public final class Workloads {
  private static final Map<String, WorkloadKind> KINDS = new TreeMap<>();

  static {
    register(new dev.devemu.userspace.workload.ProcessWorkloadKind());
    register(new dev.devemu.userspace.v4l2.V4l2CaptureKind());
  }

  private Workloads() {}

  static void register(WorkloadKind kind) {
    KINDS.put(kind.kind(), kind);
  }

  public static WorkloadKind kind(String name) {
    return KINDS.get(name);
  }

  public static List<String> kinds() {
    return List.copyOf(KINDS.keySet());
  }
}
