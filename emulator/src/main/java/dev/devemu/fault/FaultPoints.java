package dev.devemu.fault;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** The kernel points a fault plan may make fail, with what failing there means. */
public final class FaultPoints {
  private static final Map<String, String> POINTS = new TreeMap<>();

  static {
    POINTS.put("kmalloc", "kmalloc/kzalloc returns NULL (-ENOMEM)");
    POINTS.put("dma_map", "dma_map_single fails (dma_mapping_error)");
    POINTS.put("dma_alloc_coherent", "dma_alloc_coherent returns NULL");
    POINTS.put("dma_transfer", "a device's DMA transfer fails with -EIO");
    POINTS.put("pci_enable_device", "pci_enable_device fails with -EIO");
    POINTS.put("pci_request_regions", "requesting a BAR region fails with -EBUSY");
    POINTS.put("pci_iomap", "pci_iomap returns NULL");
    POINTS.put("pci_alloc_irq_vectors", "pci_alloc_irq_vectors fails with -ENOSPC");
    POINTS.put("request_irq", "request_irq fails with -EBUSY");
    POINTS.put("completion_timeout", "wait_for_completion_timeout times out: the answer comes too late (or never)");
  }

  private FaultPoints() {}

  /** Adds a point (device and bus features register theirs). */
  public static synchronized void register(String name, String meaning) {
    POINTS.put(name, meaning);
  }

  public static synchronized boolean known(String name) {
    return POINTS.containsKey(name);
  }

  public static synchronized Map<String, String> all() {
    return Collections.unmodifiableMap(new TreeMap<>(POINTS));
  }
}
