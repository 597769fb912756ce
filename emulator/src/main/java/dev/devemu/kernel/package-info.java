/**
 * The emulated kernel of a testbed: CPUs that run tasks step by step, kernel programs ({@link dev.devemu.kernel.Op}),
 * errno values, and the services (memory, locks, interrupts) that drivers call and detectors watch.
 */
package dev.devemu.kernel;
