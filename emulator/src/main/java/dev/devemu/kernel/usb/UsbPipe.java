package dev.devemu.kernel.usb;

/**
 * Pipes as {@code include/linux/usb.h} encodes them: type in bits 31:30, endpoint in 18:15, device address in
 * 14:8, direction in bit 7.
 */
public final class UsbPipe {
  public static final int ISOCHRONOUS = 0;
  public static final int INTERRUPT = 1;
  public static final int CONTROL = 2;
  public static final int BULK = 3;
  public static final int DIR_IN = 0x80;

  /** {@code pipetypes[]} of usb_submit_urb: the pipe type for each endpoint transfer type. */
  private static final int[] PIPE_OF_XFER = {CONTROL, ISOCHRONOUS, BULK, INTERRUPT};

  private UsbPipe() {}

  static int create(UsbDevice dev, int endpoint) {
    return (dev.devnum() << 8) | ((endpoint & 0xf) << 15);
  }

  /** usb_sndbulkpipe. */
  public static int sndBulk(UsbDevice dev, int endpoint) {
    return (BULK << 30) | create(dev, endpoint);
  }

  /** usb_rcvbulkpipe. */
  public static int rcvBulk(UsbDevice dev, int endpoint) {
    return (BULK << 30) | create(dev, endpoint) | DIR_IN;
  }

  /** usb_sndctrlpipe. */
  public static int sndCtrl(UsbDevice dev, int endpoint) {
    return (CONTROL << 30) | create(dev, endpoint);
  }

  /** usb_rcvctrlpipe. */
  public static int rcvCtrl(UsbDevice dev, int endpoint) {
    return (CONTROL << 30) | create(dev, endpoint) | DIR_IN;
  }

  public static boolean in(int pipe) {
    return (pipe & DIR_IN) != 0;
  }

  public static int endpoint(int pipe) {
    return (pipe >>> 15) & 0xf;
  }

  public static int device(int pipe) {
    return (pipe >>> 8) & 0x7f;
  }

  public static int type(int pipe) {
    return (pipe >>> 30) & 3;
  }

  static int pipeTypeOf(int xferType) {
    return PIPE_OF_XFER[xferType & 3];
  }
}
