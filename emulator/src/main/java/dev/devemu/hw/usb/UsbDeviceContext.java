package dev.devemu.hw.usb;

import dev.devemu.sim.Cause;
import dev.devemu.sim.SimRandom;
import dev.devemu.spec.usb.UsbSpeed;
import java.util.function.Supplier;

/** What a USB device model can do besides answering: time, randomness, completing transfers. */
public interface UsbDeviceContext {
  long now();

  /** The device's own random stream, derived from the run's seed and its port. */
  SimRandom random();

  /** Calls the model's {@link UsbDeviceModel#onTimer} with {@code token} after {@code delayNanos}. */
  void schedule(long delayNanos, Object token);

  /**
   * Answers transfer {@code seq}: {@code status} 0 (ACK, with {@code actualLength} bytes moved), -EPIPE (STALL),
   * -EOVERFLOW (babble) or -EPROTO. A transfer the host has dropped in the meantime is ignored.
   */
  void complete(long seq, int status, int actualLength);

  /**
   * As {@link #complete(long, int, int)}, with the bytes an IN transfer carries ({@code actualLength} of them are
   * sent; null or a shorter array means the rest are zeros). A host that only counts lengths ignores them; the
   * USB/IP export sends them.
   */
  void complete(long seq, int status, int actualLength, byte[] data);

  boolean present();

  UsbSpeed speed();

  /** A root cause for something the device does on its own, built only if a report prints it. */
  Cause cause(Supplier<String> what);
}
