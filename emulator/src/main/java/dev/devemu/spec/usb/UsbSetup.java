package dev.devemu.spec.usb;

/**
 * The 8-byte SETUP packet of a control transfer ({@code struct usb_ctrlrequest}, USB 2.0 §9.3), with the standard
 * requests of chapter 9 that enumeration and {@code usb_clear_halt} use.
 */
public record UsbSetup(int requestType, int request, int value, int index, int length) {
  public static final int DIR_IN = 0x80;
  public static final int TYPE_STANDARD = 0x00;
  public static final int TYPE_MASK = 0x60;
  public static final int RECIP_DEVICE = 0x00;
  public static final int RECIP_INTERFACE = 0x01;
  public static final int RECIP_ENDPOINT = 0x02;
  public static final int RECIP_MASK = 0x1f;

  public static final int REQ_GET_STATUS = 0x00;
  public static final int REQ_CLEAR_FEATURE = 0x01;
  public static final int REQ_SET_FEATURE = 0x03;
  public static final int REQ_SET_ADDRESS = 0x05;
  public static final int REQ_GET_DESCRIPTOR = 0x06;
  public static final int REQ_GET_CONFIGURATION = 0x08;
  public static final int REQ_SET_CONFIGURATION = 0x09;
  public static final int REQ_GET_INTERFACE = 0x0a;
  public static final int REQ_SET_INTERFACE = 0x0b;

  /** Feature selector USB_ENDPOINT_HALT. */
  public static final int ENDPOINT_HALT = 0;

  public static final int SIZE = 8;

  public boolean in() {
    return (requestType & DIR_IN) != 0;
  }

  public boolean standard() {
    return (requestType & TYPE_MASK) == TYPE_STANDARD;
  }

  public int recipient() {
    return requestType & RECIP_MASK;
  }

  public byte[] toBytes() {
    return new byte[] {(byte) requestType, (byte) request, (byte) value, (byte) (value >>> 8), (byte) index,
        (byte) (index >>> 8), (byte) length, (byte) (length >>> 8)};
  }

  public static UsbSetup parse(byte[] b) {
    if (b.length != SIZE) throw new IllegalArgumentException("a SETUP packet has 8 bytes, got " + b.length);
    return new UsbSetup(b[0] & 0xff, b[1] & 0xff, (b[2] & 0xff) | (b[3] & 0xff) << 8, (b[4] & 0xff) | (b[5] & 0xff) << 8,
        (b[6] & 0xff) | (b[7] & 0xff) << 8);
  }

  public static UsbSetup getDescriptor(int type, int index, int length) {
    return new UsbSetup(DIR_IN | TYPE_STANDARD | RECIP_DEVICE, REQ_GET_DESCRIPTOR, type << 8 | index, 0, length);
  }

  public static UsbSetup setAddress(int address) {
    return new UsbSetup(TYPE_STANDARD | RECIP_DEVICE, REQ_SET_ADDRESS, address, 0, 0);
  }

  public static UsbSetup setConfiguration(int value) {
    return new UsbSetup(TYPE_STANDARD | RECIP_DEVICE, REQ_SET_CONFIGURATION, value, 0, 0);
  }

  /** CLEAR_FEATURE(ENDPOINT_HALT) on {@code endpoint}: what usb_clear_halt sends. */
  public static UsbSetup clearHalt(int endpoint) {
    return new UsbSetup(TYPE_STANDARD | RECIP_ENDPOINT, REQ_CLEAR_FEATURE, ENDPOINT_HALT, endpoint, 0);
  }

  @Override
  public String toString() {
    return String.format("%02x %02x %04x %04x %04x", requestType, request, value, index, length);
  }
}
