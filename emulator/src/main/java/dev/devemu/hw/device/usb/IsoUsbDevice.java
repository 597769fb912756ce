package dev.devemu.hw.device.usb;

import static dev.devemu.datasheet.IsoUsbDatasheet.*;

import dev.devemu.hw.usb.UsbDeviceContext;
import dev.devemu.hw.usb.UsbDeviceModel;
import dev.devemu.spec.usb.UsbDescriptors.Configuration;
import dev.devemu.spec.usb.UsbDescriptors.DeviceDescriptor;
import dev.devemu.spec.usb.UsbDescriptors.Endpoint;
import dev.devemu.spec.usb.UsbDescriptors.EndpointDescriptor;
import dev.devemu.spec.usb.UsbDescriptors.Interface;
import dev.devemu.spec.usb.UsbDescriptors.InterfaceDescriptor;
import dev.devemu.spec.usb.UsbDescriptors.SsEndpointCompanion;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import java.util.List;

/**
 * A streaming device with isochronous endpoints (abcd:1235), as audio interfaces and cameras have them: interface
 * 0, vendor-specific, alternate setting 0 without endpoints (zero bandwidth, the state after SET_CONFIGURATION),
 * alternate setting 1 with isochronous IN 0x81 (asynchronous source) and isochronous OUT 0x02 (adaptive sink),
 * {@code packetSize} bytes per 1 ms service interval each. The host selects alternate setting 1 with SET_INTERFACE
 * before streaming, as snd-usb-audio or uvcvideo do.
 *
 * <p>Each transfer the glue hands over is one isochronous packet. The device serves one packet per endpoint per
 * service interval: a packet goes into the next free interval at or after the next frame boundary (ASAP
 * scheduling; packets queued back to back occupy consecutive intervals) and is answered during it. The IN source
 * produces {@code packetSize} new bytes every interval whether the host polls or not (data nobody polled is
 * lost, as on a real isochronous pipe); the bytes of interval {@code k} are {@link BulkUsbDevice#content} at
 * stream position {@code k * packetSize}, so a host can tell which intervals it got. A packet asking for fewer
 * bytes gets the first ones. OUT packets are consumed whole. While the interface is in alternate setting 0 the
 * endpoints do not exist and a packet is answered with a STALL (-EPIPE).
 */
public final class IsoUsbDevice implements UsbDeviceModel {
  private final UsbSpeed speed;
  private final int packetSize;
  private final DeviceDescriptor device;
  private final Configuration configuration;
  private final byte[] bos;
  private boolean streaming;
  /** The next service interval (frame number) free on IN and on OUT. */
  private long nextIn;
  private long nextOut;
  private long consumed;
  private long packetsIn;
  /** Packets scheduled and not yet answered: seq -> {endpoint, interval}. An unlinked one frees its interval. */
  private final java.util.LinkedHashMap<Long, long[]> scheduled = new java.util.LinkedHashMap<>();

  private record Answer(long seq, int length, byte[] data) {}

  /** @param packetSize bytes per service interval (wMaxPacketSize): 1..1023 at full speed, 1..1024 above */
  public IsoUsbDevice(UsbSpeed speed, int packetSize) {
    if (speed == UsbSpeed.LOW) {
      throw new IllegalArgumentException("a low-speed device has no isochronous endpoints (USB 2.0 §5.6)");
    }
    int max = speed == UsbSpeed.FULL ? 1023 : 1024;
    if (packetSize < 1 || packetSize > max) {
      throw new IllegalArgumentException("packet size " + packetSize + " outside 1.." + max + " at " + speed);
    }
    this.speed = speed;
    this.packetSize = packetSize;
    boolean ss = speed.superSpeed();
    this.device = new DeviceDescriptor(ss ? 0x0320 : 0x0200, UsbDescriptors.CLASS_PER_INTERFACE, 0, 0, ss ? 9 : 64,
        VENDOR, PRODUCT, BCD_DEVICE, 0, 0, 0, 1);
    // 1 ms: bInterval 1 in frames at full speed, 2^(4-1) microframes above
    int interval = speed == UsbSpeed.FULL ? 1 : 4;
    SsEndpointCompanion companion = ss ? new SsEndpointCompanion(0, 0, packetSize) : null;
    Interface idle = new Interface(new InterfaceDescriptor(INTERFACE, 0, 0, UsbDescriptors.CLASS_VENDOR_SPEC, 0, 0, 0),
        List.of());
    Interface stream = new Interface(
        new InterfaceDescriptor(INTERFACE, STREAMING_ALT, 2, UsbDescriptors.CLASS_VENDOR_SPEC, 0, 0, 0),
        List.of(new Endpoint(new EndpointDescriptor(EP_IN, UsbDescriptors.ENDPOINT_XFER_ISOC | 0x04, packetSize,
                interval), companion),
            new Endpoint(new EndpointDescriptor(EP_OUT, UsbDescriptors.ENDPOINT_XFER_ISOC | 0x08, packetSize,
                interval), companion)));
    this.configuration = Configuration.of(1, UsbDescriptors.CONFIG_ATT_ONE, 0x32, List.of(idle, stream));
    this.bos = ss ? UsbDescriptors.bos(speed == UsbSpeed.SUPER_PLUS) : null;
  }

  @Override
  public String name() {
    return "usb-iso device";
  }

  @Override
  public UsbSpeed speed() {
    return speed;
  }

  @Override
  public DeviceDescriptor deviceDescriptor() {
    return device;
  }

  @Override
  public Configuration configuration() {
    return configuration;
  }

  @Override
  public byte[] bos() {
    return bos == null ? null : bos.clone();
  }

  @Override
  public void onConfigured(int value, UsbDeviceContext dev) {
    streaming = false; // SET_CONFIGURATION puts every interface in alternate setting 0
  }

  @Override
  public void onInterface(int number, int alternate, UsbDeviceContext dev) {
    streaming = alternate == STREAMING_ALT;
  }

  @Override
  public void onTransfer(long seq, int endpoint, int length, UsbDeviceContext dev) {
    onTransfer(seq, endpoint, length, null, dev);
  }

  @Override
  public void onTransfer(long seq, int endpoint, int length, byte[] outData, UsbDeviceContext dev) {
    if (!streaming || (endpoint != EP_IN && endpoint != EP_OUT)) {
      dev.complete(seq, -Errno.EPIPE, 0);
      return;
    }
    long frame = dev.now() / INTERVAL_NANOS + 1; // the next frame boundary
    long slot;
    if (endpoint == EP_IN) {
      slot = nextIn = Math.max(nextIn, frame);
      nextIn++;
    } else {
      slot = nextOut = Math.max(nextOut, frame);
      nextOut++;
    }
    scheduled.put(seq, new long[] {endpoint, slot});
    int n = Math.min(length, packetSize);
    long at = slot * INTERVAL_NANOS + speed.wireNanos(n);
    byte[] data = null;
    if (endpoint == EP_IN) {
      data = BulkUsbDevice.content(slot * packetSize, n);
      packetsIn++;
    } else {
      consumed += n;
    }
    dev.schedule(at - dev.now(), new Answer(seq, n, data));
  }

  @Override
  public void onTimer(Object token, UsbDeviceContext dev) {
    if (token instanceof Answer a && scheduled.remove(a.seq()) != null) dev.complete(a.seq(), 0, a.length(), a.data());
  }

  /**
   * The host unlinked a packet (its URB was unlinked, or the link went down): the controller takes it off the
   * schedule, so the endpoint's next packet goes ASAP again after whatever is still scheduled.
   */
  @Override
  public void onCancelled(long seq, UsbDeviceContext dev) {
    long[] s = scheduled.remove(seq);
    if (s == null) return;
    long last = -1;
    for (long[] o : scheduled.values()) {
      if (o[0] == s[0]) last = Math.max(last, o[1]);
    }
    if (s[0] == EP_IN) nextIn = last + 1;
    else nextOut = last + 1;
  }

  @Override
  public void onRemoved(UsbDeviceContext dev) {
    reset();
  }

  @Override
  public void onReset(UsbDeviceContext dev) {
    reset();
  }

  private void reset() {
    streaming = false;
    scheduled.clear();
    nextIn = 0;
    nextOut = 0;
  }

  /** OUT bytes consumed. */
  public long consumed() {
    return consumed;
  }

  /** IN packets served. */
  public long packetsIn() {
    return packetsIn;
  }

  /** Bytes per service interval. */
  public int packetSize() {
    return packetSize;
  }
}
