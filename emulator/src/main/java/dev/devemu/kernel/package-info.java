/**
 * The core of the guest kernel: tasks and the CPUs that run them step by step, kernel programs
 * ({@link dev.devemu.kernel.Op}), interrupts, the kernel log, its own reports ({@link dev.devemu.kernel.Bugs}) and the
 * registry of the subsystems above it.
 */
package dev.devemu.kernel;
