/**
 * PCI as the standard defines it, shared by the emulated hardware and the guest kernel: function addresses.
 */
package dev.devemu.spec.pci;
