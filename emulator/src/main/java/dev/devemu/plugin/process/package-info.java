/**
 * {@code kind = process}: user processes that exercise a device node with a weighted mix of system calls.
 */
package dev.devemu.plugin.process;
