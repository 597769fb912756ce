/**
 * USB interface drivers: the C-style {@code struct usb_driver} (raw) and a Rust-style {@code UsbDriver} (safe)
 * whose URBs are owned, killed at disconnect and freed by devres.
 */
package dev.devemu.driver.api.usb;
