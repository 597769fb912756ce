/**
 * PCI and PCI Express as the kernel and a device both see them: type-0 configuration space with BARs and
 * capabilities, ID-table matching, enumeration and binding, MMIO and DMA messages, MSI programming.
 */
package dev.devemu.kernel.pci;
