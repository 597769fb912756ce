/**
 * The device models, one package each: what a device does, behind the bus glue of hw.pci and hw.usb.
 */
package dev.devemu.hw.device;
