package dev.devemu.usbip;

import static dev.devemu.usbip.UsbipServerTest.ret;
import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.hw.device.usb.BulkUsbDevice;
import dev.devemu.usbip.UsbipProtocol.RetSubmit;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bulk IN transfers carry the device's bytes, not zeros: the usb-bulk model's stream pattern (block numbers and
 * a fixed body), without gaps across transfers of any length, and the same bytes when the session replays.
 */
class UsbipPayloadTest {
  @TempDir
  Path dir;

  @Test
  void bulkInCarriesTheModelsStreamWithoutGaps() throws Exception {
    Path session = dir.resolve("payload.session");
    // 40 MB/s: records arrive every ~100 us, so reads of odd sizes are answered at once or shortly
    try (UsbipServer server = UsbipServerTest.start(UsbipServerTest.scenario("speed = super, data-rate = 40000000",
        null), session); UsbipTestClient c = new UsbipTestClient(server.port())) {
      c.importDevice("1-1");
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      int[] sizes = {4096, 1000, 3, 8192, 5000, 1024, 12289};
      for (int size : sizes) {
        int s = c.bulk(1, UsbipProtocol.DIR_IN, size);
        RetSubmit r = ret(c.next(), s);
        assertEquals(0, r.status());
        assertTrue(r.actualLength() > 0 && r.actualLength() <= size, "actual " + r.actualLength());
        assertEquals(r.actualLength(), r.data().length);
        got.write(r.data());
      }
      byte[] stream = got.toByteArray();
      assertArrayEquals(BulkUsbDevice.content(0, stream.length), stream,
          "the IN bytes are the model's stream from its start, without gaps");
      assertTrue(stream.length > 4096 + 8, "the stream reached a second block: " + stream.length);
      // block 1 starts with its number, little-endian
      assertEquals(1, stream[4096]);
      assertEquals(0, stream[4097]);
      assertNotEquals(0, stream[100], "not zeros");
    }
    SessionReplay.Result replay = SessionReplay.replay(Session.read(session));
    assertTrue(replay.identical(), replay.firstDifference());
  }

  @Test
  void loopbackReturnsWhatOutReceivedAndOutWaitsForRoom() throws Exception {
    Path session = dir.resolve("loopback.session");
    try (UsbipServer server = UsbipServerTest.start(UsbipServerTest.scenario("speed = super, loopback = true", null),
        session); UsbipTestClient c = new UsbipTestClient(server.port())) {
      c.importDevice("1-1");
      byte[] hello = "hello, loopback".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      int s = c.bulkOut(2, hello);
      assertEquals(hello.length, ret(c.next(), s).actualLength());
      s = c.bulk(1, UsbipProtocol.DIR_IN, 512);
      RetSubmit r = ret(c.next(), s);
      assertEquals(0, r.status());
      assertArrayEquals(hello, r.data(), "IN returns the OUT bytes (a short packet: all there is)");

      // 100,000 bytes do not fit the 64 KiB FIFO: the OUT transfer waits until IN has drained enough
      byte[] big = new byte[100_000];
      new java.util.Random(5).nextBytes(big);
      int out = c.bulkOut(2, big);
      assertTrue(c.silentFor(300), "the OUT transfer waits for room in the FIFO");
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      int in = c.bulk(1, UsbipProtocol.DIR_IN, 65536);
      boolean outDone = false;
      while (back.size() < big.length) {
        RetSubmit next = assertInstanceOf(RetSubmit.class, c.next());
        if (next.basic().seqnum() == out) {
          assertEquals(0, next.status());
          assertEquals(big.length, next.actualLength());
          outDone = true;
        } else {
          assertEquals(in, next.basic().seqnum());
          back.write(next.data());
          if (back.size() < big.length) in = c.bulk(1, UsbipProtocol.DIR_IN, 65536);
        }
      }
      if (!outDone) assertEquals(out, ret(c.next(), out).basic().seqnum());
      assertArrayEquals(big, back.toByteArray(), "every byte back, in order");
    }
    SessionReplay.Result replay = SessionReplay.replay(Session.read(session));
    assertTrue(replay.identical(), replay.firstDifference());
  }

  @Test
  void contentIsTheDocumentedPattern() {
    byte[] b = BulkUsbDevice.content(4096L * 0x0102 + 4, 4096 + 16);
    // bytes 4..7 of block 0x0102's number, then its body from offset 8
    assertArrayEquals(new byte[] {0, 0, 0, 0}, java.util.Arrays.copyOfRange(b, 0, 4));
    assertEquals((byte) (7 * 8), b[4]);
    assertEquals((byte) (7 * 300 + 1), b[300 - 4]);
    // the next block: 0x0103 little-endian, then the body again
    int next = 4096 - 4;
    assertEquals(0x03, b[next]);
    assertEquals(0x01, b[next + 1]);
    assertEquals(0, b[next + 2]);
    assertEquals((byte) (7 * 8), b[next + 8]);
  }
}
