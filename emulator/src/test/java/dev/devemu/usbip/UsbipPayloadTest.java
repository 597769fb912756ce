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
