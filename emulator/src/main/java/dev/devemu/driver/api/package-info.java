/**
 * The driver API, mirroring the Linux Rust {@code kernel} crate: {@link dev.devemu.driver.api.KResult} and
 * {@link dev.devemu.driver.api.Fallible} for {@code Result} and {@code ?}, tracked memory, printk. Bus-specific
 * APIs live in sub-packages, each in two flavours: {@code raw} (C habits are possible) and {@code safe}
 * (Rust's discipline is enforced by the types).
 *
 * <p>Mainline releases that first had each abstraction mirrored here (the seed article's "6.10" is wrong for
 * mainline): {@code kernel::sync} Mutex and SpinLock 6.4; {@code Devres} and {@code Revocable} 6.14
 * ({@link dev.devemu.driver.api.Devres}, {@link dev.devemu.driver.api.Revocable}); {@code Completion} 6.16
 * ({@link dev.devemu.driver.api.SafeCompletion}); {@code read_poll_timeout} 6.18; {@code Arc} since the first Rust
 * release, 6.1 ({@link dev.devemu.driver.api.KArc}). Per bus: see each sub-package. The test API
 * ({@code dev.devemu.kunit}): {@code kernel::kunit} assertions 6.6, {@code #[kunit_tests]} 6.15.
 */
package dev.devemu.driver.api;
