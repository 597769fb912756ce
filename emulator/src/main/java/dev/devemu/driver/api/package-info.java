/**
 * The driver API, mirroring the Linux Rust {@code kernel} crate: {@link dev.devemu.driver.api.KResult} and
 * {@link dev.devemu.driver.api.Fallible} for {@code Result} and {@code ?}, tracked memory, printk. Bus-specific
 * APIs live in sub-packages, each in two flavours: {@code raw} (C habits are possible) and {@code safe}
 * (Rust's discipline is enforced by the types).
 */
package dev.devemu.driver.api;
