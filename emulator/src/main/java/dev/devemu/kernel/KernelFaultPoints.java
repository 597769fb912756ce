package dev.devemu.kernel;

import dev.devemu.fault.FaultPointSource;
import java.util.LinkedHashMap;
import java.util.Map;

/** The kernel's own fault points (memory, DMA, the PCI core, interrupts, completions). */
public final class KernelFaultPoints implements FaultPointSource {
  @Override
  public Map<String, String> faultPoints() {
    Map<String, String> points = new LinkedHashMap<>();
    points.put("kmalloc", "kmalloc/kzalloc returns NULL (-ENOMEM)");
    points.put("dma_map", "dma_map_single fails (dma_mapping_error)");
    points.put("dma_alloc_coherent", "dma_alloc_coherent returns NULL");
    points.put("dma_transfer", "a device's DMA transfer fails with -EIO");
    points.put("pci_enable_device", "pci_enable_device fails with -EIO");
    points.put("pci_request_regions", "requesting a BAR region fails with -EBUSY");
    points.put("pci_iomap", "pci_iomap returns NULL");
    points.put("pci_alloc_irq_vectors", "pci_alloc_irq_vectors fails with -ENOSPC");
    points.put("request_irq", "request_irq fails with -EBUSY");
    points.put("completion_timeout", "wait_for_completion_timeout times out: the answer comes too late (or never)");
    return points;
  }
}
