package dev.devemu.hw.device.usb;

import static dev.devemu.datasheet.BulkUsbDatasheet.*;

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
import java.util.ArrayDeque;
import java.util.List;

/**
 * A USB 3.2 device (vendor 0xabcd, product 0x1234) with one vendor-specific interface and two bulk endpoints:
 * 0x81 IN produces data in 4096-byte records at a configurable rate (Poisson arrivals into a 64 KiB FIFO; the
 * endpoint NAKs while the FIFO is empty), 0x02 OUT consumes whatever the host sends, at the link's speed or a
 * configured rate. Each answer takes the time its bytes need on the wire at the negotiated speed.
 *
 * <p>The IN data is a pattern a host can check ({@link #content}): the endpoint's byte stream is cut into
 * 4096-byte blocks; block {@code k} starts with {@code k} as 8 little-endian bytes, and its byte {@code o} from
 * 8 on is {@code (7 * o + (o >> 8)) & 0xff}. Bytes lost to a full FIFO are not in the stream: a host that reads
 * without gaps sees consecutive blocks.
 *
 * <p>In loopback mode (like the Linux gadget zero's loopback function that {@code usbtest} drives) the IN
 * endpoint produces nothing of its own: it returns the bytes the host sent to OUT, in order, through the same
 * 64 KiB FIFO. An OUT transfer moves as many bytes as the FIFO has room for and waits (NAKs) for the rest; it
 * completes when all of its bytes are in.
 *
 * <p>Descriptors follow the USB 3.2 specification: at SuperSpeed and SuperSpeedPlus bcdUSB is 0x0320, ep0's
 * bMaxPacketSize0 is 9 (512 bytes), the bulk endpoints have wMaxPacketSize 1024 and a SuperSpeed endpoint
 * companion (bursts of 4 packets), and a BOS lists the USB 2.0 extension, SuperSpeed and (at SuperSpeedPlus) the
 * SuperSpeedPlus capability. Connected at high or full speed the same device reports bcdUSB 0x0210, a 64-byte
 * ep0, 512- or 64-byte bulk packets and no companions, as a USB 3 device does on a USB 2 port.
 *
 * <p>For driver tests, each data endpoint can be scripted ({@link Step}): its first transfers are answered as the
 * script says — a full transfer (of zeros), a short packet, a STALL (the endpoint halts until
 * CLEAR_FEATURE(ENDPOINT_HALT)), babble, a transaction error, or no answer at all (the transfer stays in flight until
 * the host cancels it) — and the transfers after the script as usual.
 */
public final class BulkUsbDevice implements UsbDeviceModel {
  public static final int FIFO_BYTES = 64 * 1024;

  private final UsbSpeed speed;
  private final double meanRecordNanos;
  private final double outBytesPerSecond;
  private final boolean loopback;
  /** Loopback mode: the FIFO's bytes, a ring of FIFO_BYTES starting at ringHead. */
  private byte[] ring;
  private int ringHead;
  /** Loopback mode: OUT transfers not yet all in the FIFO: {seq, length, bytes taken}, with their data. */
  private final ArrayDeque<Object[]> waitingOut = new ArrayDeque<>();
  private final DeviceDescriptor device;
  private final Configuration configuration;
  private final byte[] bos;
  private final ArrayDeque<long[]> waitingIn = new ArrayDeque<>(); // {seq, length}
  private int fifo;
  private boolean configured;
  private boolean producing;
  private long outFreeAt;
  /** Position in the IN byte stream of the first byte in the FIFO. */
  private long streamAt;
  private long produced;
  private long dropped;
  private long consumed;

  private record Produce() {}

  private record Answer(long seq, int status, int length, byte[] data) {}

  /**
   * One scripted answer of a data endpoint. What a device can make a host controller report, and no more: an xHCI
   * reports a STALL handshake (-EPIPE), babble (-EOVERFLOW) and every other transaction error — no handshake, a
   * bad CRC, a timeout — as a USB Transaction Error (-EPROTO); EILSEQ and ETIME are older controllers' words.
   */
  public record Step(Kind kind, int value) {
    public enum Kind { DATA, SHORT, STALL, BABBLE, TRANSACTION_ERROR, SILENT }

    /**
     * {@code data}, {@code short:N} (N bytes, if less than asked), {@code stall}, {@code babble},
     * {@code transaction-error}, {@code silent}.
     *
     * @throws IllegalArgumentException saying what is accepted
     */
    public static Step parse(String text) {
      String t = text.trim();
      switch (t) {
        case "data": return new Step(Kind.DATA, 0);
        case "stall": return new Step(Kind.STALL, 0);
        case "babble": return new Step(Kind.BABBLE, 0);
        case "transaction-error": return new Step(Kind.TRANSACTION_ERROR, 0);
        case "silent": return new Step(Kind.SILENT, 0);
        default: break;
      }
      if (t.startsWith("short:") && t.substring(6).matches("\\d{1,7}")) {
        return new Step(Kind.SHORT, Integer.parseInt(t.substring(6)));
      }
      throw new IllegalArgumentException("\"" + text + "\" is not an endpoint step (data, short:N, stall, babble, "
          + "transaction-error, silent)");
    }
  }

  private final List<Step> inScript;
  private final List<Step> outScript;
  private int inStep;
  private int outStep;

  private static final int BLOCK = 4096;
  /** Bytes 8.. of every block; bytes 0..7 are the block number. */
  private static final byte[] BLOCK_BODY = new byte[BLOCK];

  static {
    for (int o = 0; o < BLOCK; o++) BLOCK_BODY[o] = (byte) (7 * o + (o >> 8));
  }

  /** {@code length} bytes of the IN stream from {@code position} (see the class comment). */
  public static byte[] content(long position, int length) {
    byte[] b = new byte[length];
    int i = 0;
    while (i < length) {
      long p = position + i;
      int o = (int) (p % BLOCK);
      int n = Math.min(length - i, BLOCK - o);
      System.arraycopy(BLOCK_BODY, o, b, i, n);
      long block = p / BLOCK;
      for (int h = o; h < 8 && h < o + n; h++) b[i + h - o] = (byte) (block >>> (8 * h));
      i += n;
    }
    return b;
  }

  private static final Produce PRODUCE = new Produce();

  /**
   * @param dataRate bytes per second the IN endpoint produces while configured
   * @param outRate bytes per second the OUT endpoint consumes, or 0 for as fast as the link
   */
  public BulkUsbDevice(UsbSpeed speed, double dataRate, double outRate) {
    this(speed, dataRate, outRate, false);
  }

  /** @param loopback IN returns what OUT received (dataRate is then unused) */
  public BulkUsbDevice(UsbSpeed speed, double dataRate, double outRate, boolean loopback) {
    this(speed, dataRate, outRate, loopback, VENDOR, PRODUCT, List.of(), List.of());
  }

  /**
   * A mock device for driver tests: other IDs (the same silicon rebadged), and scripts for the first transfers of
   * the IN and OUT endpoints.
   */
  public BulkUsbDevice(UsbSpeed speed, double dataRate, double outRate, int vendor, int product, List<Step> inScript,
      List<Step> outScript) {
    this(speed, dataRate, outRate, false, vendor, product, inScript, outScript);
  }

  public BulkUsbDevice(UsbSpeed speed, double dataRate, double outRate, boolean loopback, int vendor, int product,
      List<Step> inScript, List<Step> outScript) {
    this.inScript = List.copyOf(inScript);
    this.outScript = List.copyOf(outScript);
    if (speed == UsbSpeed.LOW) {
      throw new IllegalArgumentException("a low-speed device has no bulk endpoints (USB 2.0 §5.8)");
    }
    this.speed = speed;
    this.meanRecordNanos = RECORD * 1e9 / dataRate;
    this.outBytesPerSecond = outRate;
    this.loopback = loopback;
    boolean ss = speed.superSpeed();
    this.device = new DeviceDescriptor(ss ? 0x0320 : 0x0210, UsbDescriptors.CLASS_PER_INTERFACE, 0, 0, ss ? 9 : 64,
        vendor, product, BCD_DEVICE, 0, 0, 0, 1);
    int maxp = ss ? 1024 : speed == UsbSpeed.HIGH ? 512 : 64;
    SsEndpointCompanion companion = ss ? new SsEndpointCompanion(3, 0, 0) : null;
    Interface intf = new Interface(new InterfaceDescriptor(0, 0, 2, UsbDescriptors.CLASS_VENDOR_SPEC, 0, 0, 0),
        List.of(new Endpoint(new EndpointDescriptor(EP_IN, UsbDescriptors.ENDPOINT_XFER_BULK, maxp, 0), companion),
            new Endpoint(new EndpointDescriptor(EP_OUT, UsbDescriptors.ENDPOINT_XFER_BULK, maxp, 0), companion)));
    // bus-powered; bMaxPower in 8 mA units at SuperSpeed (400 mA), 2 mA units below (100 mA)
    this.configuration = Configuration.of(1, UsbDescriptors.CONFIG_ATT_ONE, 0x32, List.of(intf));
    this.bos = UsbDescriptors.bos(speed == UsbSpeed.SUPER_PLUS);
  }

  @Override
  public String name() {
    return "usb-bulk device";
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
    return bos.clone();
  }

  @Override
  public void onConfigured(int value, UsbDeviceContext dev) {
    configured = value != 0;
    if (configured && !producing && !loopback) {
      producing = true;
      arm(dev);
    }
  }

  private void arm(UsbDeviceContext dev) {
    dev.schedule(Math.max(1, (long) dev.random().nextExponential(meanRecordNanos)), PRODUCE);
  }

  @Override
  public void onTimer(Object token, UsbDeviceContext dev) {
    if (token == PRODUCE) {
      if (!configured) {
        producing = false;
        return;
      }
      produced++;
      int room = FIFO_BYTES - fifo;
      int add = Math.min(room, RECORD);
      fifo += add;
      dropped += RECORD - add;
      serve(dev);
      arm(dev);
    } else if (token instanceof Answer a) {
      dev.complete(a.seq(), a.status(), a.length(), a.data());
    }
  }

  @Override
  public void onTransfer(long seq, int endpoint, int length, UsbDeviceContext dev) {
    onTransfer(seq, endpoint, length, null, dev);
  }

  @Override
  public void onTransfer(long seq, int endpoint, int length, byte[] outData, UsbDeviceContext dev) {
    if (endpoint == EP_IN && inStep < inScript.size()) {
      scripted(inScript.get(inStep++), seq, length, dev);
    } else if (endpoint == EP_OUT && outStep < outScript.size()) {
      scripted(outScript.get(outStep++), seq, length, dev);
    } else if (loopback && endpoint == EP_OUT) {
      byte[] data = outData == null ? new byte[length] : outData;
      waitingOut.add(new Object[] {seq, Math.min(length, data.length), 0, data});
      pumpOut(dev);
      serve(dev);
    } else if (endpoint == EP_IN) {
      waitingIn.add(new long[] {seq, length});
      serve(dev);
    } else if (endpoint == EP_OUT) {
      long busy = speed.wireNanos(length);
      if (outBytesPerSecond > 0) busy = Math.max(busy, (long) (length * 1e9 / outBytesPerSecond));
      outFreeAt = Math.max(outFreeAt, dev.now()) + busy;
      consumed += length;
      dev.schedule(outFreeAt - dev.now(), new Answer(seq, 0, length, null));
    } else {
      dev.complete(seq, -Errno.EPIPE, 0); // no such endpoint: STALL
    }
  }

  /** Answers a transfer as its script step says, after the time the handshake and any bytes take on the wire. */
  private void scripted(Step step, long seq, int length, UsbDeviceContext dev) {
    switch (step.kind()) {
      case DATA -> dev.schedule(speed.wireNanos(length), new Answer(seq, 0, length, new byte[length]));
      case SHORT -> {
        int n = Math.min(step.value(), length);
        dev.schedule(speed.wireNanos(Math.max(n, 8)), new Answer(seq, 0, n, new byte[n]));
      }
      case STALL -> dev.schedule(speed.wireNanos(8), new Answer(seq, -Errno.EPIPE, 0, null)); // the host halts it
      case BABBLE -> dev.schedule(speed.wireNanos(length), new Answer(seq, -Errno.EOVERFLOW, length, null));
      case TRANSACTION_ERROR -> dev.schedule(speed.wireNanos(8), new Answer(seq, -Errno.EPROTO, 0, null));
      case SILENT -> { } // NAKs forever: the transfer stays in flight until the host cancels it
    }
  }

  /** Answers waiting IN transfers from the FIFO: a full transfer, or a short packet with what there is. */
  private void serve(UsbDeviceContext dev) {
    while (!waitingIn.isEmpty() && fifo > 0) {
      long[] w = waitingIn.poll();
      int n = (int) Math.min(w[1], fifo);
      byte[] data = loopback ? takeLooped(n) : content(streamAt, n);
      fifo -= n;
      streamAt += n;
      dev.schedule(speed.wireNanos(n), new Answer(w[0], 0, n, data));
      if (loopback) pumpOut(dev);
    }
  }

  /** Loopback: moves waiting OUT bytes into the FIFO while it has room; an OUT transfer all in completes. */
  private void pumpOut(UsbDeviceContext dev) {
    if (ring == null) ring = new byte[FIFO_BYTES];
    while (!waitingOut.isEmpty() && fifo < FIFO_BYTES) {
      Object[] w = waitingOut.peek();
      int length = (int) w[1];
      int taken = (int) w[2];
      byte[] data = (byte[]) w[3];
      int n = Math.min(length - taken, FIFO_BYTES - fifo);
      for (int i = 0; i < n; i++) ring[(ringHead + fifo + i) % FIFO_BYTES] = data[taken + i];
      fifo += n;
      w[2] = taken + n;
      if (taken + n < length) return; // the rest waits for room
      waitingOut.poll();
      consumed += length;
      dev.schedule(speed.wireNanos(length), new Answer((long) w[0], 0, length, null));
    }
  }

  private byte[] takeLooped(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = ring[(ringHead + i) % FIFO_BYTES];
    ringHead = (ringHead + n) % FIFO_BYTES;
    return b;
  }

  @Override
  public void onCancelled(long seq, UsbDeviceContext dev) {
    waitingIn.removeIf(w -> w[0] == seq);
    waitingOut.removeIf(w -> (long) w[0] == seq); // the bytes it already put in the FIFO stay there
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
    configured = false;
    producing = false;
    waitingIn.clear();
    fifo = 0;
    outFreeAt = 0;
    streamAt = 0;
    waitingOut.clear();
    ringHead = 0;
  }

  /** IN records produced so far. */
  public long produced() {
    return produced;
  }

  /** IN bytes lost because the FIFO was full (the host did not read fast enough). */
  public long dropped() {
    return dropped;
  }

  /** OUT bytes consumed. */
  public long consumed() {
    return consumed;
  }
}
