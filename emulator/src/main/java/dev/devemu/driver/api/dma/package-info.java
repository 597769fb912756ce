/** Typed DMA for the safe flavour: buffers of a fixed size, checked device addresses, freeing only when quiesced. */
package dev.devemu.driver.api.dma;
