/**
 * Bug detectors in the spirit of the kernel's own (KASAN, KCSAN, lockdep, the MMIO checks) and the text of their
 * reports. Memory and locks tell them of every access and acquisition through MemoryChecks and LockChecks; each
 * turns a bad one into an {@link dev.devemu.kernel.Oops}. The core's own reports (page faults, WARN, might_sleep,
 * hung tasks) are in {@code dev.devemu.kernel}; the leak check after remove in {@code kernel.driver}.
 */
package dev.devemu.kernel.detect;
