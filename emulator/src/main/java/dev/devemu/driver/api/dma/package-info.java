/**
 * Typed DMA for the safe flavour: buffers of a fixed size, checked device addresses, freeing only when quiesced.
 *
 * <p>Mainline: {@code kernel::dma::CoherentAllocation} first shipped in Linux 6.15. The {@code Quiesced} proof
 * required to free a buffer (stop procedure ran and synchronize_irq returned) goes beyond mainline.
 */
package dev.devemu.driver.api.dma;
