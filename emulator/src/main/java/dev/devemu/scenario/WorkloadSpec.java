package dev.devemu.scenario;


/** Something that generates load during a run (user-space processes issuing system calls, traffic). */
public interface WorkloadSpec {
  String kind();

  void install(TestbedBuilder testbed);
}
