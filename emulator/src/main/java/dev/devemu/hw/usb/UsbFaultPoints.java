package dev.devemu.hw.usb;

import dev.devemu.fault.FaultPoints;

/** The fault points of the USB stack, for {@code faults.probability} in a scenario. */
public final class UsbFaultPoints {
  public static final String SUBMIT = "usb_submit_urb";
  public static final String STALL = "usb_stall";
  public static final String BABBLE = "usb_babble";
  public static final String TRANSACTION_ERROR = "usb_transaction_error";

  private UsbFaultPoints() {}

  /** Makes the points known to scenario validation (idempotent). */
  public static void register() {
    FaultPoints.register(SUBMIT, "usb_submit_urb fails with -ENOMEM, as when xhci_urb_enqueue cannot allocate its "
        + "TDs (driver submissions only)");
    FaultPoints.register(STALL, "a data transfer ends in a STALL: the URB completes with -EPIPE and the endpoint "
        + "stays halted until usb_clear_halt");
    FaultPoints.register(BABBLE, "a data transfer ends in babble: the URB completes with -EOVERFLOW");
    FaultPoints.register(TRANSACTION_ERROR, "a data transfer ends in a USB transaction error: the URB completes "
        + "with -EPROTO");
  }
}
