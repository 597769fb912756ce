package dev.devemu.hw;

/**
 * A message the hardware sends up to the host side of a bus — the root port and its hot-plug controller, or the
 * host controller's root hub — where the guest kernel's bus actor takes it: an enumeration answer, a slot event.
 * The kernel's bus actors accept these besides their own commands, so the hardware never names a kernel type.
 */
public interface HostBound {}
