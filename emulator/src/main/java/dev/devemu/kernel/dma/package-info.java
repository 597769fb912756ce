/**
 * The DMA API (streaming mappings, coherent buffers, the IOMMU's tables) and the kernel as the hardware sees it: memory as bus masters reach it.
 */
package dev.devemu.kernel.dma;
