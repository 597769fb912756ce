package dev.devemu.kernel.usb;

import dev.devemu.spec.usb.UsbDescriptors.EndpointDescriptor;
import dev.devemu.spec.usb.UsbDescriptors.SsEndpointCompanion;
import dev.devemu.spec.usb.UsbDescriptors;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code struct usb_host_endpoint}: an endpoint's descriptors, whether submissions are accepted ({@code enabled}),
 * and the queue of URBs linked to it ({@code urb_list}) — what unlink, kill and flush look at.
 */
public final class UsbHostEndpoint {
  private final EndpointDescriptor desc;
  private final SsEndpointCompanion ssCompanion;
  private boolean enabled;
  final List<Urb> urbList = new ArrayList<>();
  /** Tasks waiting in usb_hcd_flush_endpoint for the queue to drain. */
  final List<Runnable> drainWaiters = new ArrayList<>(1);

  UsbHostEndpoint(EndpointDescriptor desc, SsEndpointCompanion ssCompanion) {
    this.desc = desc;
    this.ssCompanion = ssCompanion;
  }

  public EndpointDescriptor desc() {
    return desc;
  }

  public SsEndpointCompanion ssCompanion() {
    return ssCompanion;
  }

  public boolean enabled() {
    return enabled;
  }

  void enabled(boolean on) {
    enabled = on;
  }

  /** The xHCI Device Context Index: endpoint number * 2 + direction (IN = 1); control endpoints use 2n + 1. */
  public int dci() {
    if (desc.type() == UsbDescriptors.ENDPOINT_XFER_CONTROL) return desc.number() * 2 + 1;
    return desc.number() * 2 + (desc.in() ? 1 : 0);
  }

  /** URBs linked right now (a copy). */
  public List<Urb> linked() {
    return List.copyOf(urbList);
  }

  @Override
  public String toString() {
    return "ep " + String.format("0x%02x", desc.address());
  }
}
