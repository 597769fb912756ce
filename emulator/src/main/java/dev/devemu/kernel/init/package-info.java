/**
 * Starting the guest kernel: its core, then each subsystem, in order (start_kernel).
 */
package dev.devemu.kernel.init;
