/**
 * PCI Express hardware: the function's bus glue (configuration space byte-exact, BARs, MSI/MSI-X, DMA requests), the device-model contract, and the host bridge where DMA reaches memory.
 */
package dev.devemu.hw.pci;
