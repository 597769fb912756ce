/**
 * USB as the kernel and a device both see it: an xHCI-like host controller (core logic apart from its actor glue,
 * as QEMU keeps hcd-xhci apart from its PCI front end), byte-exact descriptors, ID matching and modalias, URBs
 * with Linux semantics, enumeration and binding by the hub driver.
 */
package dev.devemu.kernel.usb;
