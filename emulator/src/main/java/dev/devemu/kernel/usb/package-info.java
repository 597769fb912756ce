/**
 * USB in the guest kernel: the HCD core and the xhci driver, the USB core drivers call (C semantics), URBs with
 * Linux semantics, the hub driver (enumeration, disconnect), ID matching ({@code usb_match_id}) and modaliases.
 */
package dev.devemu.kernel.usb;
