package dev.devemu.driver.api.dma;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.pci.SafePciDevice;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.spec.DmaDirection;
import dev.devemu.uapi.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The DMA side of one device under Rust's discipline: it hands out {@link DmaBuffer}s of a fixed size, knows how
 * to stop the device (the driver's stop procedure) and which interrupt to synchronise with, and frees a buffer
 * only with a {@link Quiesced} proof that both happened. It is device-managed: at unbind it quiesces the device
 * and frees every buffer still allocated — or, if the device cannot be stopped and is still there, leaks them
 * with a warning rather than free memory the device may still write.
 *
 * <p>Create it after the BAR is mapped and the interrupt vectors are allocated, so that its unbind release runs
 * while both still exist (devres releases in reverse order).
 */
public final class DmaEngine {
  private final SafePciDevice pdev;
  private final int irqIndex;
  private final String name;
  private final Supplier<Fallible<Void>> stop;
  private final List<DmaBuffer> live = new ArrayList<>();
  private long epoch;

  private DmaEngine(SafePciDevice pdev, int irqIndex, String name, Supplier<Fallible<Void>> stop) {
    this.pdev = pdev;
    this.irqIndex = irqIndex;
    this.name = name;
    this.stop = stop;
  }

  /**
   * @param irqIndex the interrupt vector whose handler touches the buffers
   * @param stop the driver's procedure that stops the device's DMA and waits until it is idle; it succeeds
   *     when the device no longer writes memory (also when the device is gone)
   */
  public static DmaEngine create(SafePciDevice pdev, int irqIndex, String name, Supplier<Fallible<Void>> stop) {
    DmaEngine engine = new DmaEngine(pdev, irqIndex, name, stop);
    pdev.devres().add("dma engine " + name, engine::releaseAll);
    return engine;
  }

  long epoch() {
    return epoch;
  }

  /** Buffers allocated and not yet freed, oldest first. */
  public List<DmaBuffer> live() {
    return List.copyOf(live);
  }

  /**
   * A buffer the device writes into ({@code kmalloc} + {@code dma_map_single(DMA_FROM_DEVICE)}): ENOMEM if the
   * memory or the mapping cannot be had (fault points {@code kmalloc}, {@code dma_map}), EINVAL for a size ≤ 0.
   */
  public Fallible<DmaBuffer> allocFromDevice(int size, String what) {
    if (size <= 0) return Fallible.err(Errno.EINVAL);
    return Fallible.of(Mem.kmalloc(size, what).then(memory -> {
      if (memory == null) return Op.pure(KResult.<DmaBuffer>err(Errno.ENOMEM));
      return Op.<KResult<DmaBuffer>>step("dma_map_single", x -> {
        Dma.Mapping m = Dma.of(x.kernel()).map(x, memory, 0, size, DmaDirection.FROM_DEVICE);
        if (m == null) return null;
        DmaBuffer b = new DmaBuffer(this, memory, m, size, what);
        live.add(b);
        return KResult.ok(b);
      }).then(r -> r != null ? Op.pure(r) : Mem.kfree(memory).map(v -> KResult.<DmaBuffer>err(Errno.ENOMEM)));
    }));
  }

  /**
   * A coherent buffer ({@code dma_alloc_coherent}): CPU and device see the same bytes without syncs, as rings of
   * descriptors or completion records need. ENOMEM if it cannot be had (fault point {@code dma_alloc_coherent}).
   */
  public Fallible<DmaBuffer> allocCoherent(int size, String what) {
    if (size <= 0) return Fallible.err(Errno.EINVAL);
    return Fallible.of(Op.step("dma_alloc_coherent", x -> {
      Dma.Mapping m = Dma.of(x.kernel()).allocCoherent(x, size, what);
      if (m == null) return KResult.<DmaBuffer>err(Errno.ENOMEM);
      DmaBuffer b = new DmaBuffer(this, m.buffer(), m, size, what);
      live.add(b);
      return KResult.ok(b);
    }));
  }

  /**
   * The device may write into the buffers from now on (the driver calls it just before it starts the device's
   * DMA): every {@link Quiesced} proof issued before is void.
   */
  public Op<Void> started() {
    return Op.step("dma_engine_start", x -> {
      epoch++;
      return null;
    });
  }

  /**
   * Stops the device (the driver's procedure), then waits for a handler still running on another CPU
   * ({@code synchronize_irq}); only then is the proof issued. Sleeps: never call it under a spinlock.
   */
  public Fallible<Quiesced> quiesce() {
    return Fallible.of(Op.defer(() -> stop.get().op()))
        .andThen(v -> pdev.synchronizeIrq(irqIndex))
        .andThen(v -> Fallible.of(Op.step("dma_engine_quiesced", x -> KResult.ok(new Quiesced(this, epoch)))));
  }

  /**
   * Unmaps and frees a buffer. EBUSY if the proof is not this engine's or the device was started since (the
   * buffer stays allocated), EINVAL if the buffer was already freed.
   */
  public Fallible<Void> free(DmaBuffer buffer, Quiesced proof) {
    return Fallible.of(Op.defer(() -> {
      if (proof == null || proof.engine != this || proof.epoch != epoch) return Op.pure(KResult.<Void>err(Errno.EBUSY));
      if (buffer.engine() != this || !buffer.live()) return Op.pure(KResult.<Void>err(Errno.EINVAL));
      return release(buffer).map(v -> KResult.<Void>ok(null));
    }));
  }

  private Op<Void> release(DmaBuffer b) {
    boolean coherent = b.mapping().coherent();
    Op<Void> unmap = Op.step(coherent ? "dma_free_coherent" : "dma_unmap_single", x -> {
      b.markFreed();
      live.remove(b);
      Dma.of(x.kernel()).unmap(x, b.mapping()); // frees a coherent buffer's memory too
      return null;
    });
    return coherent ? unmap : unmap.then(ignored -> Mem.kfree(b.memory()));
  }

  /** At unbind: quiesce, then free what is left; a device that will not stop keeps its buffers (leaked). */
  private Op<Void> releaseAll() {
    return Op.defer(() -> {
      if (live.isEmpty()) return Op.done();
      return quiesce().op().then(r -> {
        if (!r.isOk() && !pdev.disconnected()) {
          return Op.step("dma_engine_leak", x -> {
            x.kernel().printk(name + ": device did not stop (" + r.describe() + "): leaking " + live.size()
                + " DMA buffers rather than freeing memory it may still write");
            return null;
          });
        }
        return Op.forEach(List.copyOf(live), this::release);
      });
    });
  }
}
