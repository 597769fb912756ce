package dev.devemu.userspace;

import dev.devemu.kernel.fs.UserMemory;
import dev.devemu.sim.SimRandom;

/** What a user program sees of itself: its pid and name, its memory, its random stream and the time. */
public interface UserContext {
  int pid();

  String comm();

  /** Its address space: map buffers here and pass their addresses to system calls. */
  UserMemory mm();

  /** The process's own random stream, forked from the run's seed by the process's name. */
  SimRandom random();

  /** Virtual time. */
  long now();
}
