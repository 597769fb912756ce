package dev.devemu.usbip;

import dev.devemu.usbip.UsbipProtocol.Basic;
import dev.devemu.usbip.UsbipProtocol.CmdSubmit;
import dev.devemu.usbip.UsbipProtocol.CmdUnlink;
import dev.devemu.usbip.UsbipProtocol.Pdu;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.List;

/** A USB/IP client as vhci-hcd and the usbip tool speak it, for tests: one TCP connection. */
final class UsbipTestClient implements AutoCloseable {
  static final int DEVID = (1 << 16) | 2;

  final Socket socket;
  final DataInputStream in;
  final OutputStream out;
  private int seqnum = 1;
  /** Directions of the URBs sent, by seqnum: a RET_SUBMIT's own header does not say. */
  private final java.util.Map<Integer, Integer> directions = new java.util.HashMap<>();

  UsbipTestClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  static List<UsbipProtocol.UsbDevice> devlist(int port) throws IOException {
    try (UsbipTestClient c = new UsbipTestClient(port)) {
      c.send(UsbipProtocol.devlistRequest());
      UsbipProtocol.OpCommon op = c.opReply();
      if (op.code() != UsbipProtocol.OP_REP_DEVLIST || op.status() != 0) throw new IOException("devlist reply " + op);
      byte[] rest = c.in.readAllBytes(); // usbipd closes after one request
      return UsbipProtocol.parseDevlist(rest);
    }
  }

  /** OP_REQ_IMPORT; returns the reply's status and, on success, the device. */
  UsbipProtocol.UsbDevice importDevice(String busid) throws IOException {
    send(UsbipProtocol.importRequest(busid));
    UsbipProtocol.OpCommon op = opReply();
    if (op.code() != UsbipProtocol.OP_REP_IMPORT) throw new IOException("import reply code " + op.code());
    if (op.status() != UsbipProtocol.ST_OK) {
      lastImportStatus = op.status();
      return null;
    }
    byte[] dev = new byte[UsbipProtocol.USB_DEVICE_SIZE];
    in.readFully(dev);
    return UsbipProtocol.parseImportedDevice(dev);
  }

  int lastImportStatus = -1;

  UsbipProtocol.OpCommon opReply() throws IOException {
    byte[] h = new byte[UsbipProtocol.OP_COMMON_SIZE];
    in.readFully(h);
    return UsbipProtocol.OpCommon.decode(h);
  }

  void send(byte[] b) throws IOException {
    out.write(b);
    out.flush();
  }

  /** Sends a control transfer on ep 0; returns its seqnum. */
  int control(int requestType, int request, int value, int index, int length, byte[] data) throws IOException {
    byte[] setup = {(byte) requestType, (byte) request, (byte) value, (byte) (value >> 8), (byte) index,
        (byte) (index >> 8), (byte) length, (byte) (length >> 8)};
    int dir = (requestType & 0x80) != 0 ? UsbipProtocol.DIR_IN : UsbipProtocol.DIR_OUT;
    int s = seqnum++;
    directions.put(s, dir);
    send(new CmdSubmit(new Basic(UsbipProtocol.CMD_SUBMIT, s, DEVID, dir, 0), 0, length, 0, 0, 0, setup,
        dir == UsbipProtocol.DIR_OUT ? data : new byte[0], List.of()).encode());
    return s;
  }

  /** Sends a bulk (or interrupt) transfer on endpoint number {@code ep}; returns its seqnum. */
  int bulk(int ep, int direction, int length) throws IOException {
    int s = seqnum++;
    directions.put(s, direction);
    byte[] data = direction == UsbipProtocol.DIR_OUT ? new byte[length] : new byte[0];
    for (int i = 0; i < data.length; i++) data[i] = (byte) i;
    send(new CmdSubmit(new Basic(UsbipProtocol.CMD_SUBMIT, s, DEVID, direction, ep), 0, length, 0, 0, 0,
        new byte[8], data, List.of()).encode());
    return s;
  }

  /** Sends a bulk OUT transfer of {@code data} on endpoint number {@code ep}; returns its seqnum. */
  int bulkOut(int ep, byte[] data) throws IOException {
    int s = seqnum++;
    directions.put(s, UsbipProtocol.DIR_OUT);
    send(new CmdSubmit(new Basic(UsbipProtocol.CMD_SUBMIT, s, DEVID, UsbipProtocol.DIR_OUT, ep), 0, data.length, 0,
        0, 0, new byte[8], data, List.of()).encode());
    return s;
  }

  int unlink(int victim) throws IOException {
    int s = seqnum++;
    send(new CmdUnlink(new Basic(UsbipProtocol.CMD_UNLINK, s, DEVID, 0, 0), victim).encode());
    return s;
  }

  /** The next RET_SUBMIT or RET_UNLINK. */
  Pdu next() throws IOException {
    byte[] h = new byte[UsbipProtocol.HEADER_SIZE];
    in.readFully(h);
    int len;
    try {
      int command = java.nio.ByteBuffer.wrap(h).getInt(0);
      int seq = java.nio.ByteBuffer.wrap(h).getInt(4);
      len = command == UsbipProtocol.RET_SUBMIT
          ? UsbipProtocol.retSubmitPayloadLength(h, directions.getOrDefault(seq, 0) == UsbipProtocol.DIR_IN)
          : UsbipProtocol.payloadLength(h, false);
    } catch (UsbipProtocol.ProtocolException e) {
      throw new IOException("server sent a malformed header: " + e.getMessage() + " " + Arrays.toString(h));
    }
    byte[] p = new byte[len];
    in.readFully(p);
    return UsbipProtocol.decode(h, p);
  }

  /** Nothing arrives within {@code millis}: true; the connection ended: also reported as an EOFException. */
  boolean silentFor(int millis) throws IOException {
    socket.setSoTimeout(millis);
    try {
      int b = in.read();
      if (b < 0) throw new EOFException("connection closed");
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } finally {
      socket.setSoTimeout(10_000);
    }
  }

  /** True if the server closed the connection (reads end) within 10 s. */
  boolean closedByServer() throws IOException {
    try {
      while (in.read() >= 0) {
        // drain what was sent before the close
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
