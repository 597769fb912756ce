package dev.devemu.scenario;

/** A kind of entry a scenario may list under {@code workload = [ { kind = … } ]}. */
public interface WorkloadKind {
  String kind();

  String description();

  WorkloadSpec parse(ScenarioNode node, int line);
}
