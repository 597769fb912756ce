/**
 * USB interface drivers: the C-style {@code struct usb_driver} (raw) and a Rust-style {@code UsbDriver} (safe)
 * whose URBs are owned, killed at disconnect and freed by devres.
 *
 * <p>Mainline: a Rust USB binding ({@code kernel::usb}, probe and disconnect of an interface driver) first shipped
 * in Linux 6.18, and it has no URB API. The safe flavour's owned URBs ({@code SafeUrb}: submit, kill, completion)
 * go beyond mainline: they are this project's design, not a mirror.
 */
package dev.devemu.driver.api.usb;
