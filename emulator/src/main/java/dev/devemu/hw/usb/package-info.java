/**
 * USB hardware: the xHCI host controller (its logic apart from its actor glue, as QEMU keeps hcd-xhci apart from its PCI front end) and the glue around a USB device model, speaking URB-shaped messages as USB/IP does.
 */
package dev.devemu.hw.usb;
