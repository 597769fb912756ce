package dev.devemu.kernel.driver;

import dev.devemu.kernel.Variant;

/**
 * What a bus tells whoever listens (the testbed, for device-hours and exit codes): a driver became bound to a
 * device, or stopped being bound — after remove, or because its probe failed with {@code probeResult}.
 */
public record BindingChanged(String device, String driver, Variant variant, boolean bound, int probeResult) {}
