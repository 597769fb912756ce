/**
 * File operations for drivers: the safe flavour's typed, bounded view of user memory and device-managed nodes.
 *
 * <p>Mainline: {@code kernel::miscdevice} and {@code kernel::fs::file} first shipped in Linux 6.13 (user-memory
 * access through {@code kernel::uaccess} slices is older, 6.8).
 */
package dev.devemu.driver.api.file;
