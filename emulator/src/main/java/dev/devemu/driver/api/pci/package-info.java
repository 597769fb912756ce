/**
 * PCI drivers: the C-style {@code struct pci_driver} (raw) and the Rust-style {@code PciDriver} trait (safe).
 *
 * <p>Mainline: the Rust PCI binding ({@code kernel::pci}, {@code pci::Driver}, BAR mapping through
 * {@code kernel::io}) first shipped in Linux 6.14; interrupt requests from Rust ({@code kernel::irq}) in 6.18.
 * Not 6.10, as the seed article says.
 */
package dev.devemu.driver.api.pci;
