/** PCI drivers: the C-style {@code struct pci_driver} (raw) and the Rust-style {@code PciDriver} trait (safe). */
package dev.devemu.driver.api.pci;
