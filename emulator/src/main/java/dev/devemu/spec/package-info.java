/**
 * Standards that hardware and the kernel both follow (DMA directions); the bus standards are in spec.pci and spec.usb.
 */
package dev.devemu.spec;
