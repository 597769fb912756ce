package dev.devemu.userspace;

/**
 * The code of a user-space process, as a sequence of system calls: each call's result (a value ≥ 0 or -errno)
 * decides the next one. A program is a small state machine; keep its state in the object and draw randomness only
 * from {@link UserContext#random()}.
 */
public interface UserProgram {
  /** The first call. */
  Syscall start(UserContext ctx);

  /**
   * The next call.
   *
   * @param previous the call that just returned
   * @param result its return value: ≥ 0, or -errno
   */
  Syscall next(UserContext ctx, Syscall previous, long result);
}
