/**
 * Platform drivers, raw and safe: probe and remove for software devices matched by name.
 *
 * <p>Mainline: the Rust platform-driver binding ({@code kernel::platform}) first shipped in Linux 6.14.
 */
package dev.devemu.driver.api.platform;
