package dev.devemu.kernel.usb;

import dev.devemu.spec.usb.UsbDescriptors.Configuration;
import dev.devemu.spec.usb.UsbDescriptors.DeviceDescriptor;
import dev.devemu.spec.usb.UsbDescriptors.EndpointDescriptor;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbDeviceState;
import dev.devemu.spec.usb.UsbPort;
import dev.devemu.spec.usb.UsbSpeed;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The kernel's {@code struct usb_device}: what enumeration learned (descriptors, speed, address, xHCI slot) and
 * the state that decides whether URBs may be submitted ({@code usb_submit_urb} checks {@code state}).
 */
public final class UsbDevice {
  private final UsbHcd hcd;
  private final UsbPort port;
  private final String name;
  private final UsbSpeed speed;
  private int devnum;
  private int slotId;
  private UsbDeviceState state = UsbDeviceState.POWERED;
  private DeviceDescriptor descriptor;
  private byte[] bos;
  private Configuration actconfig;
  private Configuration pendingConfig;
  private final List<UsbInterface> interfaces = new ArrayList<>();
  final UsbHostEndpoint[] epIn = new UsbHostEndpoint[16];
  final UsbHostEndpoint[] epOut = new UsbHostEndpoint[16];
  private final UsbHostEndpoint ep0;

  UsbDevice(UsbHcd hcd, UsbPort port, UsbSpeed speed) {
    this.hcd = hcd;
    this.port = port;
    this.name = port.toString();
    this.speed = speed;
    // ep0's max packet size is known from the speed until the device descriptor says otherwise
    int mps0 = speed.superSpeed() ? 512 : speed == UsbSpeed.LOW ? 8 : 64;
    this.ep0 = new UsbHostEndpoint(new EndpointDescriptor(0, UsbDescriptors.ENDPOINT_XFER_CONTROL, mps0, 0), null);
    ep0.enabled(true);
    epIn[0] = ep0;
    epOut[0] = ep0;
  }

  public UsbHcd hcd() {
    return hcd;
  }

  public UsbPort port() {
    return port;
  }

  /** {@code 1-1}. */
  public String name() {
    return name;
  }

  /** {@code udev->speed}. */
  public UsbSpeed speed() {
    return speed;
  }

  public int devnum() {
    return devnum;
  }

  void devnum(int n) {
    devnum = n;
  }

  public int slotId() {
    return slotId;
  }

  void slotId(int id) {
    slotId = id;
  }

  public UsbDeviceState state() {
    return state;
  }

  void state(UsbDeviceState s) {
    state = s;
  }

  /**
   * The interfaces enumeration would make of a device with these descriptors (configuration {@code cfg}, each
   * interface in its altsetting 0), with no host controller behind them: what drivers' ID tables are matched
   * against before a testbed exists.
   */
  public static List<UsbInterface> enumeratedInterfaces(UsbPort port, UsbSpeed speed, DeviceDescriptor descriptor,
      Configuration cfg) {
    UsbDevice udev = new UsbDevice(null, port, speed);
    udev.descriptor(descriptor);
    udev.actconfig(cfg);
    for (UsbDescriptors.Interface alt : cfg.interfaces()) {
      if (alt.desc().alternateSetting() != 0) continue;
      udev.addInterface(new UsbInterface(udev, port.interfaceName(cfg.desc().configurationValue(),
          alt.desc().number()), alt, List.of()));
    }
    return udev.interfaces();
  }

  /** {@code udev->descriptor}, null until read. */
  public DeviceDescriptor descriptor() {
    return descriptor;
  }

  void descriptor(DeviceDescriptor d) {
    descriptor = d;
  }

  public byte[] bos() {
    return bos;
  }

  void bos(byte[] b) {
    bos = b;
  }

  /** {@code udev->actconfig}, null while unconfigured. */
  public Configuration actconfig() {
    return actconfig;
  }

  void actconfig(Configuration c) {
    actconfig = c;
  }

  /** The configuration read during enumeration, before SET_CONFIGURATION made it active. */
  Configuration pendingConfig() {
    return pendingConfig;
  }

  void pendingConfig(Configuration c) {
    pendingConfig = c;
  }

  public List<UsbInterface> interfaces() {
    return Collections.unmodifiableList(interfaces);
  }

  void addInterface(UsbInterface intf) {
    interfaces.add(intf);
  }

  public UsbHostEndpoint ep0() {
    return ep0;
  }

  /** usb_pipe_endpoint: the endpoint a pipe names, or null. */
  public UsbHostEndpoint pipeEndpoint(int pipe) {
    UsbHostEndpoint[] eps = UsbPipe.in(pipe) ? epIn : epOut;
    return eps[UsbPipe.endpoint(pipe)];
  }

  /** Every endpoint, ep0 first, then IN and OUT endpoints by number (usb_disable_device's order). */
  List<UsbHostEndpoint> endpoints() {
    List<UsbHostEndpoint> out = new ArrayList<>();
    out.add(ep0);
    for (int i = 1; i < 16; i++) {
      if (epOut[i] != null) out.add(epOut[i]);
      if (epIn[i] != null) out.add(epIn[i]);
    }
    return out;
  }

  @Override
  public String toString() {
    return name;
  }
}
