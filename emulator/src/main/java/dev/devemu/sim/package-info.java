/** Deterministic execution: seeded randomness, the virtual clock, the lane that picks mailbox runs, strategies and traces. */
package dev.devemu.sim;
