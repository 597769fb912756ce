package dev.devemu.datasheet;

/**
 * The datasheet of the isochronous streaming device (abcd:1235, {@code type = usb-iso}): a vendor-specific
 * streaming interface whose alternate setting 0 has no endpoints (no bandwidth) and whose alternate setting 1
 * has an isochronous IN endpoint (a source, like a microphone or a camera stream) and an isochronous OUT endpoint
 * (a sink, like a speaker), one packet per 1 ms service interval each.
 */
public final class IsoUsbDatasheet {
  private IsoUsbDatasheet() {}

  public static final int VENDOR = 0xabcd;
  public static final int PRODUCT = 0x1235;
  public static final int BCD_DEVICE = 0x0100;
  public static final int INTERFACE = 0;
  /** The alternate setting with the endpoints; 0 has none. */
  public static final int STREAMING_ALT = 1;
  public static final int EP_IN = 0x81;
  public static final int EP_OUT = 0x02;
  /** The service interval of both endpoints: one packet per frame. */
  public static final long INTERVAL_NANOS = 1_000_000;
}
