/**
 * Bug detectors in the spirit of the kernel's own (KASAN, lockdep, KCSAN, the hung-task and soft-lockup
 * watchdogs, kmemleak) and the text of their reports. Each detector is told about events by the kernel and
 * turns a bad one into an {@link dev.devemu.kernel.Oops}.
 */
package dev.devemu.kernel.detect;
