/** File operations for drivers: the safe flavour's typed, bounded view of user memory and device-managed nodes. */
package dev.devemu.driver.api.file;
