/**
 * The PCI Express hierarchy as a plug-in: the functions in the slots and the kernel's PCI bus with pciehp.
 */
package dev.devemu.plugin.pci;
