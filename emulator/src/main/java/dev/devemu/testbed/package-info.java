/** A testbed: one emulated machine built from a scenario, run under one seed, and what the run produced. */
package dev.devemu.testbed;
