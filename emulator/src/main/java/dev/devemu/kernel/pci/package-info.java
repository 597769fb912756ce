/**
 * PCI in the guest kernel: the PCI core drivers call (C semantics), struct pci_dev, ID-table matching
 * ({@code pci_match_one_device}), enumeration with BAR assignment, pciehp, lspci dumps and modaliases.
 */
package dev.devemu.kernel.pci;
