package dev.devemu.hw.pci;

import dev.devemu.sim.Cause;
import dev.devemu.sim.SimRandom;
import dev.devemu.spec.DmaDirection;
import dev.devemu.spec.pci.PciAddress;

/** What a device model can do besides answering register accesses: time, interrupts, DMA. */
public interface DeviceContext {
  PciAddress address();

  /** Virtual time. */
  long now();

  /** The device's own random stream (jitter, errors), derived from the run's seed and the device's address. */
  SimRandom random();

  /** Calls the model's {@link PciDeviceModel#onTimer} with {@code token} after {@code delayNanos} of virtual time. */
  void schedule(long delayNanos, Object token);

  /**
   * Like {@link #schedule}, for a timer whose handling stays inside the device: the model's
   * {@link PciDeviceModel#onTimer} for it changes only the model's own state (and may schedule further local
   * timers) — it raises no interrupt, starts no DMA and schedules no ordinary timer (a DSP's ADC conversion, a
   * sensor's internal tick). Time domains then know the device cannot send anything at that moment, so the others
   * need not stop for it (docs/domains.md, "Synchronisation"). A model that breaks the promise stops the run with an
   * emulator error. Without time domains it is exactly {@link #schedule}.
   */
  default void scheduleLocal(long delayNanos, Object token) {
    schedule(delayNanos, token);
  }

  /**
   * Signals interrupt vector {@code vector} the way the OS programmed it (MSI-X table, MSI capability).
   *
   * @return false if it could not be sent: interrupts not enabled, vector masked (it is then pending), bus
   *     mastering off, or the device is gone
   */
  boolean raiseInterrupt(int vector, Cause cause);

  /** Starts a DMA transfer through the host bridge; the model's {@link PciDeviceModel#onDmaCompleted} follows. */
  boolean dma(long busAddress, int length, DmaDirection direction, long tag, Cause cause);

  /** A root cause for something the device does on its own (a frame completes, a timer expires). */
  Cause cause(String what);

  /** Like {@link #cause(String)}, building the text only if a report prints it (cheaper on hot paths). */
  Cause cause(java.util.function.Supplier<String> what);

  /** False once the device was removed (surprise or orderly) or its link is down. */
  boolean present();
}
