package dev.devemu.usbip;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.usbip.UsbipProtocol.Basic;
import dev.devemu.usbip.UsbipProtocol.CmdSubmit;
import dev.devemu.usbip.UsbipProtocol.CmdUnlink;
import dev.devemu.usbip.UsbipProtocol.IsoPacket;
import dev.devemu.usbip.UsbipProtocol.RetSubmit;
import dev.devemu.usbip.UsbipProtocol.RetUnlink;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Byte layouts against the kernel's structs (usbip_common.h, usbip_network.h), in network byte order. */
class UsbipProtocolTest {

  @Test
  void structSizesAreTheKernels() {
    // sizeof(struct usbip_header) == 48: basic (5 x u32) + the cmd_submit union member (5 x u32 + setup[8])
    assertEquals(48, UsbipProtocol.HEADER_SIZE);
    assertEquals(20, UsbipProtocol.HEADER_BASIC_SIZE);
    // struct usbip_usb_device: path[256] busid[32] busnum devnum speed (u32) + 3 x u16 + 6 x u8
    assertEquals(312, UsbipProtocol.USB_DEVICE_SIZE);
    assertEquals(16, UsbipProtocol.ISO_DESCRIPTOR_SIZE);
    assertEquals(8, new UsbipProtocol.OpCommon(0x0111, 0x8005, 0).encode().length);
    assertEquals(40, UsbipProtocol.importRequest("1-1").length);
  }

  @Test
  void opCommonIsBigEndian() {
    assertArrayEquals(new byte[] {0x01, 0x11, (byte) 0x80, 0x05, 0, 0, 0, 0}, UsbipProtocol.devlistRequest());
    byte[] refused = UsbipProtocol.importReply(null);
    assertArrayEquals(new byte[] {0x01, 0x11, 0x00, 0x03, 0, 0, 0, 1}, refused);
  }

  @Test
  void devlistReplyLayout() {
    UsbipProtocol.UsbDevice d = new UsbipProtocol.UsbDevice("/sys/devices/x/1-1", "1-1", 1, 2, 6, 0xabcd, 0x1234,
        0x0100, 0, 0, 0, 1, 1, List.of(new UsbipProtocol.UsbInterface(0xff, 0x01, 0x02)));
    byte[] b = UsbipProtocol.devlistReply(List.of(d));
    assertEquals(8 + 4 + 312 + 4, b.length);
    ByteBuffer bb = ByteBuffer.wrap(b);
    assertEquals(0x0111, bb.getShort(0));
    assertEquals(0x0005, bb.getShort(2));
    assertEquals(1, bb.getInt(8)); // ndev
    assertEquals('/', b[12]);
    assertEquals('1', b[12 + 256]); // busid after path[256]
    assertEquals(1, bb.getInt(12 + 288)); // busnum
    assertEquals(2, bb.getInt(12 + 292)); // devnum
    assertEquals(6, bb.getInt(12 + 296)); // speed: USB_SPEED_SUPER_PLUS
    assertEquals((short) 0xabcd, bb.getShort(12 + 300));
    assertEquals(0x1234, bb.getShort(12 + 302));
    assertEquals(0x0100, bb.getShort(12 + 304));
    assertEquals(1, b[12 + 309]); // bConfigurationValue
    assertEquals(1, b[12 + 311]); // bNumInterfaces
    assertEquals((byte) 0xff, b[12 + 312]);
    assertEquals(0x01, b[12 + 313]);
    assertEquals(0x02, b[12 + 314]);
    assertEquals(0, b[12 + 315]); // padding
    UsbipProtocol.UsbDevice back = UsbipProtocol.parseDevlist(java.util.Arrays.copyOfRange(b, 8, b.length)).get(0);
    assertEquals(d, back);
  }

  @Test
  void cmdSubmitLayoutWithIsoDescriptors() throws Exception {
    byte[] setup = {(byte) 0x80, 6, 0, 1, 0, 0, 18, 0};
    CmdSubmit s = new CmdSubmit(new Basic(1, 7, 0x10002, 0, 3), 0x200, 4, 5, 2, 8, setup, new byte[] {9, 8, 7, 6},
        List.of(new IsoPacket(0, 2, 0, 0), new IsoPacket(2, 2, 0, 0)));
    byte[] b = s.encode();
    assertEquals(48 + 4 + 32, b.length);
    ByteBuffer bb = ByteBuffer.wrap(b);
    assertEquals(1, bb.getInt(0));
    assertEquals(7, bb.getInt(4));
    assertEquals(0x10002, bb.getInt(8));
    assertEquals(0, bb.getInt(12));
    assertEquals(3, bb.getInt(16));
    assertEquals(0x200, bb.getInt(20)); // transfer_flags
    assertEquals(4, bb.getInt(24)); // transfer_buffer_length
    assertEquals(5, bb.getInt(28)); // start_frame
    assertEquals(2, bb.getInt(32)); // number_of_packets
    assertEquals(8, bb.getInt(36)); // interval
    assertEquals((byte) 0x80, b[40]);
    assertEquals(18, b[46]);
    assertEquals(9, b[48]); // OUT data right after the header
    assertEquals(2, bb.getInt(52 + 16 + 4)); // second descriptor's length
    byte[] header = java.util.Arrays.copyOf(b, 48);
    assertEquals(4 + 32, UsbipProtocol.payloadLength(header, true));
    CmdSubmit back = (CmdSubmit) UsbipProtocol.decode(header, java.util.Arrays.copyOfRange(b, 48, b.length));
    assertArrayEquals(s.data(), back.data());
    assertEquals(s.iso(), back.iso());
    assertEquals(s.basic(), back.basic());
  }

  @Test
  void retSubmitAndUnlinkLayouts() throws Exception {
    byte[] r = new RetSubmit(new Basic(3, 9, 0, 0, 0), -32, 3, 0, 0, 0, new byte[] {1, 2, 3}, List.of()).encode();
    assertEquals(51, r.length);
    ByteBuffer bb = ByteBuffer.wrap(r);
    assertEquals(-32, bb.getInt(20)); // status
    assertEquals(3, bb.getInt(24)); // actual_length
    assertEquals(0, bb.getInt(40)); // padding to 48
    assertEquals(1, r[48]);
    assertEquals(3, UsbipProtocol.retSubmitPayloadLength(java.util.Arrays.copyOf(r, 48), true));
    assertEquals(0, UsbipProtocol.retSubmitPayloadLength(java.util.Arrays.copyOf(r, 48), false));
    byte[] u = new RetUnlink(new Basic(4, 10, 0, 0, 0), -104).encode();
    assertEquals(48, u.length);
    assertEquals(-104, ByteBuffer.wrap(u).getInt(20));
    byte[] c = new CmdUnlink(new Basic(2, 11, 0x10002, 0, 0), 9).encode();
    assertEquals(9, ByteBuffer.wrap(c).getInt(20)); // seqnum of the URB to unlink
  }

  @Test
  void capsRejectAbsurdHeaders() {
    byte[] h = new byte[48];
    ByteBuffer bb = ByteBuffer.wrap(h);
    bb.putInt(0, UsbipProtocol.CMD_SUBMIT);
    bb.putInt(24, -1);
    assertThrows(UsbipProtocol.ProtocolException.class, () -> UsbipProtocol.payloadLength(h, true));
    bb.putInt(24, UsbipProtocol.MAX_TRANSFER + 1);
    assertThrows(UsbipProtocol.ProtocolException.class, () -> UsbipProtocol.payloadLength(h, true));
    bb.putInt(24, 0);
    bb.putInt(32, UsbipProtocol.MAX_ISO_PACKETS + 1); // USBIP_MAX_ISO_PACKETS is 1024
    assertThrows(UsbipProtocol.ProtocolException.class, () -> UsbipProtocol.payloadLength(h, true));
    bb.putInt(32, -1); // some clients mark non-iso URBs with 0xffffffff
    assertDoesNotThrow(() -> UsbipProtocol.payloadLength(h, true));
    bb.putInt(12, 2); // direction neither IN nor OUT
    assertThrows(UsbipProtocol.ProtocolException.class, () -> UsbipProtocol.payloadLength(h, true));
    bb.putInt(12, 0);
    bb.putInt(0, 7);
    assertThrows(UsbipProtocol.ProtocolException.class, () -> UsbipProtocol.payloadLength(h, true));
    bb.putInt(0, UsbipProtocol.RET_SUBMIT); // a server's command from a client
    assertThrows(UsbipProtocol.ProtocolException.class, () -> UsbipProtocol.payloadLength(h, true));
  }
}
