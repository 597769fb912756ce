package dev.devemu.datasheet;

/**
 * The datasheet of the sample PCI watchdog (1234:5744), a two-stage timer in the manner of the i6300ESB that QEMU
 * emulates: IDs and the BAR0 register map. The device model ({@code hw.device.wdt.SampleWdtDevice}) implements it;
 * the driver {@code my_wdt} is written from it.
 *
 * <pre>
 * BAR0 (256 B)   0x00 ID (ro)            0x04 CONTROL (rw: bit 0 enable, bit 1 pretimeout interrupt)
 *                0x08 TIMEOUT (rw, ms)   0x0c KEEPALIVE (wo: KEEPALIVE_MAGIC restarts the countdown)
 *                0x10 STATUS (ro)        0x14 IRQ_ACK (wo, write 1s to clear)
 *                0x18 EXPIRIES (ro, timeouts that expired since reset)
 * </pre>
 *
 * Once enabled the countdown runs TIMEOUT milliseconds from the last keepalive. Halfway it sets STATUS_PRETIMEOUT
 * and, if enabled, raises its MSI (stage one); at the end it sets STATUS_FIRED and counts an expiry — the moment a
 * real board would reset (stage two) — and starts over.
 */
public final class SampleWdtDatasheet {
  private SampleWdtDatasheet() {}

  public static final int VENDOR = 0x1234;
  public static final int DEVICE = 0x5744;
  public static final int BAR0_SIZE = 256;

  public static final int REG_ID = 0x00;
  public static final int REG_CONTROL = 0x04;
  public static final int REG_TIMEOUT = 0x08;
  public static final int REG_KEEPALIVE = 0x0c;
  public static final int REG_STATUS = 0x10;
  public static final int REG_IRQ_ACK = 0x14;
  public static final int REG_EXPIRIES = 0x18;

  public static final int CONTROL_ENABLE = 0x1;
  public static final int CONTROL_PRETIMEOUT_IRQ = 0x2;
  public static final int STATUS_RUNNING = 0x1;
  public static final int STATUS_PRETIMEOUT = 0x2;
  public static final int STATUS_FIRED = 0x4;
  public static final int KEEPALIVE_MAGIC = 0x5a5a;
  /** TIMEOUT's range in milliseconds; a write outside it is clamped. */
  public static final int TIMEOUT_MIN_MS = 2;
  public static final int TIMEOUT_MAX_MS = 65535;
}
