package dev.devemu.userspace.workload;

import java.util.List;

/**
 * What {@code kind = process} in a scenario asks for, validated: {@code processes} user processes, each running a
 * {@link NodeExerciser} on {@code device}. Weights are relative; probabilities are per call. See {@code docs/scenarios.md}.
 *
 * @param ioctls the commands to issue, by number (a name listed twice is drawn twice as often)
 * @param calls system calls per process before it exits; 0 = until the end of the run
 */
public record ProcessWorkload(String device, int processes, String comm, long startNanos, long thinkTimeNanos,
    long calls, int openFlags, double readWeight, double writeWeight, double ioctlWeight, double reopenWeight,
    List<Integer> ioctls, int readSizeMin, int readSizeMax, int writeSizeMin, int writeSizeMax, double badPointer,
    double unknownIoctl, double untouchedBuffer, int line) {

  public ProcessWorkload {
    ioctls = List.copyOf(ioctls);
  }

  public double totalWeight() {
    return readWeight + writeWeight + ioctlWeight + reopenWeight;
  }
}
