package dev.devemu.datasheet;

/**
 * The datasheet of the USB 3.2 bulk device (abcd:1234) that the article's my_usb drives: IDs, endpoint addresses
 * and the record size of its IN endpoint. The device model ({@code hw.device.usb.BulkUsbDevice}) implements it;
 * drivers are written from it and never see the model.
 */
public final class BulkUsbDatasheet {
  private BulkUsbDatasheet() {}

  public static final int VENDOR = 0xabcd;
  public static final int PRODUCT = 0x1234;
  public static final int BCD_DEVICE = 0x0100;
  public static final int EP_IN = 0x81;
  public static final int EP_OUT = 0x02;
  /** The size of one IN record, and of my_usb's transfers. */
  public static final int RECORD = 4096;
}
