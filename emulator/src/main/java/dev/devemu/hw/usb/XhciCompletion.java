package dev.devemu.hw.usb;

import dev.devemu.uapi.Errno;

/**
 * xHCI completion codes (xHCI 1.2 table 6-90, {@code COMP_*} in {@code drivers/usb/host/xhci.h}) and the status
 * the Linux driver gives a URB for each ({@code xhci-ring.c}: process_bulk_intr_td, xhci_requires_manual_halt_cleanup).
 */
public final class XhciCompletion {
  public static final int SUCCESS = 1;
  public static final int BABBLE_DETECTED = 3;
  public static final int USB_TRANSACTION_ERROR = 4;
  public static final int TRB_ERROR = 5;
  public static final int STALL = 6;
  public static final int NO_SLOTS_AVAILABLE = 9;
  public static final int SLOT_NOT_ENABLED = 11;
  public static final int ENDPOINT_NOT_ENABLED = 12;
  public static final int SHORT_PACKET = 13;
  public static final int CONTEXT_STATE_ERROR = 19;
  public static final int STOPPED = 26;

  private XhciCompletion() {}

  /** The URB status for a transfer event's code. A stopped TD was cancelled: its URB carries the unlink status. */
  public static int urbStatus(int code) {
    return switch (code) {
      case SUCCESS, SHORT_PACKET -> 0;
      case STALL -> -Errno.EPIPE;
      case BABBLE_DETECTED -> -Errno.EOVERFLOW;
      case USB_TRANSACTION_ERROR -> -Errno.EPROTO;
      case STOPPED -> -Errno.ECONNRESET;
      case TRB_ERROR, CONTEXT_STATE_ERROR, ENDPOINT_NOT_ENABLED, SLOT_NOT_ENABLED -> -Errno.EINVAL;
      default -> -Errno.EPROTO;
    };
  }

  /** Codes after which the xHC halts the endpoint until a Reset Endpoint command. */
  public static boolean halts(int code) {
    return code == STALL || code == BABBLE_DETECTED || code == USB_TRANSACTION_ERROR;
  }

  /** The code the xHC reports for what the device answered (0 or the USB/IP-style -errno of the transaction). */
  public static int fromDeviceStatus(int status, int actual, int requested) {
    if (status == 0) return actual < requested ? SHORT_PACKET : SUCCESS;
    if (status == -Errno.EPIPE) return STALL;
    if (status == -Errno.EOVERFLOW) return BABBLE_DETECTED;
    return USB_TRANSACTION_ERROR;
  }

  /** The errno a failed command means to its caller. */
  public static int commandErrno(int code) {
    return switch (code) {
      case SUCCESS -> 0;
      case NO_SLOTS_AVAILABLE -> -Errno.ENODEV;
      case USB_TRANSACTION_ERROR -> -Errno.EPROTO;
      case STALL -> -Errno.EPIPE;
      default -> -Errno.EINVAL;
    };
  }

  public static String name(int code) {
    return switch (code) {
      case SUCCESS -> "Success";
      case BABBLE_DETECTED -> "Babble Detected Error";
      case USB_TRANSACTION_ERROR -> "USB Transaction Error";
      case TRB_ERROR -> "TRB Error";
      case STALL -> "Stall Error";
      case NO_SLOTS_AVAILABLE -> "No Slots Available Error";
      case SLOT_NOT_ENABLED -> "Slot Not Enabled Error";
      case ENDPOINT_NOT_ENABLED -> "Endpoint Not Enabled Error";
      case SHORT_PACKET -> "Short Packet";
      case CONTEXT_STATE_ERROR -> "Context State Error";
      case STOPPED -> "Stopped";
      default -> "Completion code " + code;
    };
  }
}
