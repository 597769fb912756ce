package dev.devemu.driver.api.dma;

/**
 * Proof that a device's DMA is stopped and no interrupt handler of it is running: what {@link DmaEngine#quiesce}
 * returns once the driver's stop procedure succeeded and {@code synchronize_irq} returned. Freeing a buffer
 * takes one, so a buffer cannot be freed while the device may still write into it or a handler may still read
 * it. A proof expires when the driver starts DMA again ({@link DmaEngine#started}).
 */
public final class Quiesced {
  final DmaEngine engine;
  final long epoch;

  Quiesced(DmaEngine engine, long epoch) {
    this.engine = engine;
    this.epoch = epoch;
  }

  /** Still valid: the engine has not been started since. */
  public boolean valid() {
    return engine.epoch() == epoch;
  }
}
