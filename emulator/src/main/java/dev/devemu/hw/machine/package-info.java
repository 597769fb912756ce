/**
 * The machine around the buses: the interrupt controller, the CPUs' hardware contract (interrupts in, bus-read completions in), and what hardware sees of the host (clock, memory).
 */
package dev.devemu.hw.machine;
