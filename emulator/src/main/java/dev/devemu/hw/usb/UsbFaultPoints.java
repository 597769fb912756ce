package dev.devemu.hw.usb;

import dev.devemu.fault.FaultPointSource;
import java.util.LinkedHashMap;
import java.util.Map;

/** The fault points of the USB stack, for {@code faults.probability} in a scenario. */
public final class UsbFaultPoints implements FaultPointSource {
  public static final String SUBMIT = "usb_submit_urb";
  public static final String STALL = "usb_stall";
  public static final String BABBLE = "usb_babble";
  public static final String TRANSACTION_ERROR = "usb_transaction_error";
  public static final String MISSED_SERVICE = "usb_iso_missed";

  @Override
  public Map<String, String> faultPoints() {
    Map<String, String> points = new LinkedHashMap<>();
    points.put(SUBMIT, "usb_submit_urb fails with -ENOMEM, as when xhci_urb_enqueue cannot allocate its "
        + "TDs (driver submissions only)");
    points.put(STALL, "a data transfer ends in a STALL: the URB completes with -EPIPE and the endpoint "
        + "stays halted until usb_clear_halt");
    points.put(BABBLE, "a data transfer ends in babble: the URB completes with -EOVERFLOW");
    points.put(TRANSACTION_ERROR, "a data transfer ends in a USB transaction error: the URB completes "
        + "with -EPROTO (on an isochronous endpoint: that packet, with -EPROTO; there is no STALL)");
    points.put(MISSED_SERVICE, "an isochronous packet misses its service interval (xHCI Missed Service "
        + "Error): the packet ends with -EXDEV and no data; the URB itself completes");
    return points;
  }
}
