/** User space: processes as actors that run programs of system calls against the emulated kernel's devices. */
package dev.devemu.userspace;
