/**
 * USB as a plug-in: the devices on the root hub's ports, the xHCI controller, the kernel's HCD and hub driver.
 */
package dev.devemu.plugin.usb;
