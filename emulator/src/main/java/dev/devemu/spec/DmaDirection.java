package dev.devemu.spec;

/**
 * Which way a DMA transfer moves data, as the kernel's {@code enum dma_data_direction} names it: the device
 * reads memory ({@code TO_DEVICE}), writes it ({@code FROM_DEVICE}), or either. The kernel's DMA API and the
 * device's bus-master requests share it.
 */
public enum DmaDirection { TO_DEVICE, FROM_DEVICE, BIDIRECTIONAL }
