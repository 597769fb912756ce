package dev.devemu.usbip;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The USB/IP wire format of Linux ({@code Documentation/usb/usbip_protocol.rst}, {@code drivers/usb/usbip/
 * usbip_common.h}, {@code tools/usb/usbip/src/usbip_network.h}), in network byte order, version 0x0111.
 *
 * <p>Two phases on one TCP connection: an operation ({@code OP_REQ_DEVLIST} or {@code OP_REQ_IMPORT}, an 8-byte
 * {@code op_common} header and its body), and after a successful import the URB traffic: 48-byte
 * {@code usbip_header}s ({@code usbip_header_basic} of 20 bytes and a 28-byte union) followed by the transfer
 * buffer (OUT submits, IN returns) and {@code number_of_packets} 16-byte {@code usbip_iso_packet_descriptor}s.
 */
public final class UsbipProtocol {
  public static final int VERSION = 0x0111;

  public static final int OP_REQUEST = 0x8000;
  public static final int OP_REPLY = 0x0000;
  public static final int OP_IMPORT = 0x03;
  public static final int OP_DEVLIST = 0x05;
  public static final int OP_REQ_IMPORT = OP_REQUEST | OP_IMPORT;
  public static final int OP_REP_IMPORT = OP_REPLY | OP_IMPORT;
  public static final int OP_REQ_DEVLIST = OP_REQUEST | OP_DEVLIST;
  public static final int OP_REP_DEVLIST = OP_REPLY | OP_DEVLIST;

  /** {@code op_common.status} values (usbip_common.h {@code enum usbip_op_status}... as usbipd sends them). */
  public static final int ST_OK = 0;
  /** Unknown or busy busid: usbipd's {@code recv_request_import} answers every import failure with ST_NA. */
  public static final int ST_NA = 1;

  public static final int CMD_SUBMIT = 1;
  public static final int CMD_UNLINK = 2;
  public static final int RET_SUBMIT = 3;
  public static final int RET_UNLINK = 4;

  public static final int DIR_OUT = 0;
  public static final int DIR_IN = 1;

  public static final int OP_COMMON_SIZE = 8;
  public static final int BUSID_SIZE = 32; // SYSFS_BUS_ID_SIZE
  public static final int PATH_SIZE = 256; // SYSFS_PATH_MAX
  /** {@code struct usbip_usb_device}: path, busid, busnum, devnum, speed, IDs and the class triple. */
  public static final int USB_DEVICE_SIZE = PATH_SIZE + BUSID_SIZE + 12 + 6 + 6;
  /** {@code struct usbip_usb_interface}: class, subclass, protocol, padding. */
  public static final int USB_INTERFACE_SIZE = 4;
  public static final int HEADER_BASIC_SIZE = 20;
  /** {@code struct usbip_header}: the basic part and the largest union member (cmd_submit, 28 bytes). */
  public static final int HEADER_SIZE = 48;
  public static final int ISO_DESCRIPTOR_SIZE = 16;
  /** {@code USBIP_MAX_ISO_PACKETS}: stub_rx.c rejects a CMD_SUBMIT with more. */
  public static final int MAX_ISO_PACKETS = 1024;
  /**
   * Largest transfer buffer a CMD_SUBMIT may announce. The kernel's stub only refuses negative lengths and then
   * fails the allocation; devemu caps a single URB at 16 MiB so that one header cannot make it allocate gigabytes.
   */
  public static final int MAX_TRANSFER = 16 * 1024 * 1024;

  private UsbipProtocol() {}

  /** A malformed message: the connection that sent it is closed. */
  public static final class ProtocolException extends Exception {
    public ProtocolException(String message) {
      super(message);
    }
  }

  // ---- operations ----

  /** {@code struct op_common}. */
  public record OpCommon(int version, int code, int status) {
    public byte[] encode() {
      return ByteBuffer.allocate(OP_COMMON_SIZE).order(ByteOrder.BIG_ENDIAN)
          .putShort((short) version).putShort((short) code).putInt(status).array();
    }

    public static OpCommon decode(byte[] b) {
      ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
      return new OpCommon(bb.getShort() & 0xffff, bb.getShort() & 0xffff, bb.getInt());
    }
  }

  /** {@code struct usbip_usb_interface}. */
  public record UsbInterface(int interfaceClass, int interfaceSubClass, int interfaceProtocol) {}

  /** {@code struct usbip_usb_device}, with the interfaces OP_REP_DEVLIST sends after it. */
  public record UsbDevice(String path, String busid, int busnum, int devnum, int speed, int idVendor, int idProduct,
      int bcdDevice, int deviceClass, int deviceSubClass, int deviceProtocol, int configurationValue,
      int numConfigurations, List<UsbInterface> interfaces) {
    public UsbDevice {
      interfaces = List.copyOf(interfaces);
    }

    /** {@code (busnum << 16) | devnum}, the devid of URB headers. */
    public int devid() {
      return (busnum << 16) | devnum;
    }

    void writeTo(ByteBuffer bb, boolean withInterfaces) {
      putString(bb, path, PATH_SIZE);
      putString(bb, busid, BUSID_SIZE);
      bb.putInt(busnum).putInt(devnum).putInt(speed);
      bb.putShort((short) idVendor).putShort((short) idProduct).putShort((short) bcdDevice);
      bb.put((byte) deviceClass).put((byte) deviceSubClass).put((byte) deviceProtocol);
      bb.put((byte) configurationValue).put((byte) numConfigurations).put((byte) interfaces.size());
      if (withInterfaces) {
        for (UsbInterface i : interfaces) {
          bb.put((byte) i.interfaceClass()).put((byte) i.interfaceSubClass()).put((byte) i.interfaceProtocol())
              .put((byte) 0);
        }
      }
    }

    /** Reads a device (and, if {@code withInterfaces}, its bNumInterfaces interface records). */
    static UsbDevice readFrom(ByteBuffer bb, boolean withInterfaces) {
      String path = getString(bb, PATH_SIZE);
      String busid = getString(bb, BUSID_SIZE);
      int busnum = bb.getInt();
      int devnum = bb.getInt();
      int speed = bb.getInt();
      int vendor = bb.getShort() & 0xffff;
      int product = bb.getShort() & 0xffff;
      int bcd = bb.getShort() & 0xffff;
      int cls = bb.get() & 0xff;
      int sub = bb.get() & 0xff;
      int proto = bb.get() & 0xff;
      int config = bb.get() & 0xff;
      int nconf = bb.get() & 0xff;
      int nintf = bb.get() & 0xff;
      List<UsbInterface> intfs = new ArrayList<>();
      if (withInterfaces) {
        for (int i = 0; i < nintf; i++) {
          intfs.add(new UsbInterface(bb.get() & 0xff, bb.get() & 0xff, bb.get() & 0xff));
          bb.get();
        }
      } else {
        for (int i = 0; i < nintf; i++) intfs.add(new UsbInterface(0, 0, 0));
      }
      return new UsbDevice(path, busid, busnum, devnum, speed, vendor, product, bcd, cls, sub, proto, config, nconf,
          intfs);
    }
  }

  /** OP_REP_DEVLIST: op_common, the number of devices, each device followed by its interfaces. */
  public static byte[] devlistReply(List<UsbDevice> devices) {
    int size = OP_COMMON_SIZE + 4;
    for (UsbDevice d : devices) size += USB_DEVICE_SIZE + d.interfaces().size() * USB_INTERFACE_SIZE;
    ByteBuffer bb = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
    bb.put(new OpCommon(VERSION, OP_REP_DEVLIST, ST_OK).encode());
    bb.putInt(devices.size());
    for (UsbDevice d : devices) d.writeTo(bb, true);
    return bb.array();
  }

  /** Parses the body of an OP_REP_DEVLIST (after its op_common). */
  public static List<UsbDevice> parseDevlist(byte[] body) {
    ByteBuffer bb = ByteBuffer.wrap(body).order(ByteOrder.BIG_ENDIAN);
    int n = bb.getInt();
    List<UsbDevice> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(UsbDevice.readFrom(bb, true));
    return out;
  }

  /** OP_REP_IMPORT: op_common and, on success only, the device without its interfaces. */
  public static byte[] importReply(UsbDevice device) {
    if (device == null) return new OpCommon(VERSION, OP_REP_IMPORT, ST_NA).encode();
    ByteBuffer bb = ByteBuffer.allocate(OP_COMMON_SIZE + USB_DEVICE_SIZE).order(ByteOrder.BIG_ENDIAN);
    bb.put(new OpCommon(VERSION, OP_REP_IMPORT, ST_OK).encode());
    device.writeTo(bb, false);
    return bb.array();
  }

  public static UsbDevice parseImportedDevice(byte[] body) {
    return UsbDevice.readFrom(ByteBuffer.wrap(body).order(ByteOrder.BIG_ENDIAN), false);
  }

  /** OP_REQ_IMPORT: op_common and the 32-byte busid. */
  public static byte[] importRequest(String busid) {
    ByteBuffer bb = ByteBuffer.allocate(OP_COMMON_SIZE + BUSID_SIZE).order(ByteOrder.BIG_ENDIAN);
    bb.put(new OpCommon(VERSION, OP_REQ_IMPORT, ST_OK).encode());
    putString(bb, busid, BUSID_SIZE);
    return bb.array();
  }

  public static byte[] devlistRequest() {
    return new OpCommon(VERSION, OP_REQ_DEVLIST, ST_OK).encode();
  }

  /** The busid of an OP_REQ_IMPORT body: up to the first NUL, at most 32 bytes (no NUL needed, as strncmp). */
  public static String parseBusid(byte[] body) {
    return getString(ByteBuffer.wrap(body), BUSID_SIZE);
  }

  // ---- URB traffic ----

  /**
   * What a CMD_SUBMIT costs in the server's flow control: one per packet of an isochronous URB (each packet is a
   * transfer at the device), one for any other URB. {@code header} is a checked CMD_SUBMIT header.
   */
  public static int submitWeight(byte[] header) {
    int packets = ByteBuffer.wrap(header).getInt(32);
    return Math.max(1, packets);
  }

  /** {@code struct usbip_iso_packet_descriptor}. */
  public record IsoPacket(int offset, int length, int actualLength, int status) {}

  /** {@code usbip_header_basic}: common to every URB message. */
  public record Basic(int command, int seqnum, int devid, int direction, int ep) {
    void writeTo(ByteBuffer bb) {
      bb.putInt(command).putInt(seqnum).putInt(devid).putInt(direction).putInt(ep);
    }
  }

  /** A URB message: one of the four commands, with its payload. */
  public sealed interface Pdu permits CmdSubmit, RetSubmit, CmdUnlink, RetUnlink {
    Basic basic();

    /** The bytes on the wire. */
    byte[] encode();
  }

  /**
   * {@code USBIP_CMD_SUBMIT}: {@code data} is the OUT transfer buffer (empty for IN), {@code iso} the packet
   * descriptors of an isochronous URB (empty otherwise).
   */
  public record CmdSubmit(Basic basic, int transferFlags, int transferBufferLength, int startFrame,
      int numberOfPackets, int interval, byte[] setup, byte[] data, List<IsoPacket> iso) implements Pdu {
    public CmdSubmit {
      iso = List.copyOf(iso);
    }

    @Override
    public byte[] encode() {
      ByteBuffer bb = ByteBuffer.allocate(HEADER_SIZE + data.length + iso.size() * ISO_DESCRIPTOR_SIZE)
          .order(ByteOrder.BIG_ENDIAN);
      basic.writeTo(bb);
      bb.putInt(transferFlags).putInt(transferBufferLength).putInt(startFrame).putInt(numberOfPackets)
          .putInt(interval).put(setup, 0, 8);
      bb.put(data);
      putIso(bb, iso);
      return bb.array();
    }
  }

  /**
   * {@code USBIP_RET_SUBMIT}: {@code data} is what an IN transfer moved (actual_length bytes; for an isochronous
   * URB the packets' data back to back, as stub_tx.c sends it).
   */
  public record RetSubmit(Basic basic, int status, int actualLength, int startFrame, int numberOfPackets,
      int errorCount, byte[] data, List<IsoPacket> iso) implements Pdu {
    public RetSubmit {
      iso = List.copyOf(iso);
    }

    @Override
    public byte[] encode() {
      ByteBuffer bb = ByteBuffer.allocate(HEADER_SIZE + data.length + iso.size() * ISO_DESCRIPTOR_SIZE)
          .order(ByteOrder.BIG_ENDIAN);
      basic.writeTo(bb);
      bb.putInt(status).putInt(actualLength).putInt(startFrame).putInt(numberOfPackets).putInt(errorCount);
      bb.position(HEADER_SIZE);
      bb.put(data);
      putIso(bb, iso);
      return bb.array();
    }
  }

  /** {@code USBIP_CMD_UNLINK} of the URB with seqnum {@code unlinkSeqnum}. */
  public record CmdUnlink(Basic basic, int unlinkSeqnum) implements Pdu {
    @Override
    public byte[] encode() {
      ByteBuffer bb = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
      basic.writeTo(bb);
      bb.putInt(unlinkSeqnum);
      return bb.array();
    }
  }

  /** {@code USBIP_RET_UNLINK}: -ECONNRESET if the URB was unlinked, 0 if it had completed already. */
  public record RetUnlink(Basic basic, int status) implements Pdu {
    @Override
    public byte[] encode() {
      ByteBuffer bb = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
      basic.writeTo(bb);
      bb.putInt(status);
      return bb.array();
    }
  }

  /**
   * What follows a 48-byte header on the wire, checked against the caps; throws for a malformed header. For a
   * RET_SUBMIT use {@link #retSubmitPayloadLength}: its header's direction is 0 whatever the URB's (stub_tx.c's
   * setup_base_pdu zeroes devid, direction and ep), so only the client knows whether data follows.
   */
  public static int payloadLength(byte[] header, boolean fromClient) throws ProtocolException {
    ByteBuffer bb = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
    int command = bb.getInt(0);
    int direction = bb.getInt(12);
    switch (command) {
      case CMD_SUBMIT, RET_SUBMIT -> {
        if (fromClient != (command == CMD_SUBMIT)) throw new ProtocolException("unexpected command " + command);
        if (direction != DIR_IN && direction != DIR_OUT) {
          throw new ProtocolException("direction " + direction + " is neither OUT (0) nor IN (1)");
        }
        int length = bb.getInt(24); // transfer_buffer_length, or actual_length of a RET_SUBMIT
        if (length < 0 || length > MAX_TRANSFER) {
          throw new ProtocolException("transfer length " + length + " outside 0.." + MAX_TRANSFER);
        }
        int packets = bb.getInt(32);
        // non-isochronous URBs carry 0 (or 0xffffffff from some clients): no descriptors follow
        int iso = packets == -1 ? 0 : packets;
        if (iso < 0 || iso > MAX_ISO_PACKETS) {
          throw new ProtocolException("number_of_packets " + packets + " outside 0.." + MAX_ISO_PACKETS
              + " (USBIP_MAX_ISO_PACKETS)");
        }
        boolean carriesData = command == CMD_SUBMIT ? direction == DIR_OUT : direction == DIR_IN;
        return (carriesData ? length : 0) + iso * ISO_DESCRIPTOR_SIZE;
      }
      case CMD_UNLINK, RET_UNLINK -> {
        if (fromClient != (command == CMD_UNLINK)) throw new ProtocolException("unexpected command " + command);
        return 0;
      }
      default -> throw new ProtocolException("unknown command 0x" + Integer.toHexString(command));
    }
  }

  /** The bytes after a RET_SUBMIT header, given the direction of the URB it answers. */
  public static int retSubmitPayloadLength(byte[] header, boolean in) throws ProtocolException {
    ByteBuffer bb = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
    if (bb.getInt(0) != RET_SUBMIT) throw new ProtocolException("not a RET_SUBMIT: " + bb.getInt(0));
    int actual = bb.getInt(24);
    int packets = bb.getInt(32);
    int iso = packets == -1 ? 0 : packets;
    if (actual < 0 || actual > MAX_TRANSFER || iso < 0 || iso > MAX_ISO_PACKETS) {
      throw new ProtocolException("RET_SUBMIT with actual_length " + actual + ", number_of_packets " + packets);
    }
    return (in ? actual : 0) + iso * ISO_DESCRIPTOR_SIZE;
  }

  /** Decodes one URB message: the 48-byte header and the {@link #payloadLength} bytes after it. */
  public static Pdu decode(byte[] header, byte[] payload) {
    ByteBuffer bb = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
    Basic basic = new Basic(bb.getInt(), bb.getInt(), bb.getInt(), bb.getInt(), bb.getInt());
    ByteBuffer pb = ByteBuffer.wrap(payload).order(ByteOrder.BIG_ENDIAN);
    switch (basic.command()) {
      case CMD_SUBMIT -> {
        int flags = bb.getInt();
        int length = bb.getInt();
        int start = bb.getInt();
        int packets = bb.getInt();
        int interval = bb.getInt();
        byte[] setup = new byte[8];
        bb.get(setup);
        byte[] data = new byte[basic.direction() == DIR_OUT ? length : 0];
        pb.get(data);
        return new CmdSubmit(basic, flags, length, start, packets, interval, setup, data, getIso(pb, packets));
      }
      case RET_SUBMIT -> {
        int status = bb.getInt();
        int actual = bb.getInt();
        int start = bb.getInt();
        int packets = bb.getInt();
        int errors = bb.getInt();
        // the data is what precedes the iso descriptors (the header's direction is 0 either way)
        byte[] data = new byte[payload.length - (packets == -1 ? 0 : Math.max(0, packets)) * ISO_DESCRIPTOR_SIZE];
        pb.get(data);
        return new RetSubmit(basic, status, actual, start, packets, errors, data, getIso(pb, packets));
      }
      case CMD_UNLINK -> {
        return new CmdUnlink(basic, bb.getInt());
      }
      case RET_UNLINK -> {
        return new RetUnlink(basic, bb.getInt());
      }
      default -> throw new IllegalArgumentException("unknown command " + basic.command());
    }
  }

  private static List<IsoPacket> getIso(ByteBuffer pb, int packets) {
    List<IsoPacket> iso = new ArrayList<>();
    for (int i = 0; i < (packets == -1 ? 0 : packets); i++) {
      iso.add(new IsoPacket(pb.getInt(), pb.getInt(), pb.getInt(), pb.getInt()));
    }
    return iso;
  }

  private static void putIso(ByteBuffer bb, List<IsoPacket> iso) {
    for (IsoPacket p : iso) bb.putInt(p.offset()).putInt(p.length()).putInt(p.actualLength()).putInt(p.status());
  }

  private static void putString(ByteBuffer bb, String s, int size) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    int n = Math.min(b.length, size - 1);
    bb.put(b, 0, n);
    for (int i = n; i < size; i++) bb.put((byte) 0);
  }

  private static String getString(ByteBuffer bb, int size) {
    byte[] b = new byte[size];
    bb.get(b);
    int n = 0;
    while (n < size && b[n] != 0) n++;
    return new String(b, 0, n, StandardCharsets.US_ASCII);
  }

  /** Concatenates byte arrays (a reply and its data). */
  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
