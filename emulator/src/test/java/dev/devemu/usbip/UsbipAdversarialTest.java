package dev.devemu.usbip;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.uapi.Errno;
import dev.devemu.usbip.UsbipProtocol.Pdu;
import dev.devemu.usbip.UsbipProtocol.RetSubmit;
import dev.devemu.usbip.UsbipProtocol.RetUnlink;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Bad clients cost only their own connection: garbage, a wrong version, truncation, absurd lengths, floods of
 * pipelined URBs and unlinks of seqnums nobody sent. Meanwhile a well-behaved client on another device keeps
 * working, and afterwards the server still lists every device.
 */
class UsbipAdversarialTest {
  static final String SCENARIO = "scenario { name = \"usbip-adversarial\", duration = 10s }\n"
      + "devices = [\n"
      + "  { type = usb-bulk, slot = \"1-1\", data-rate = 1 }\n"
      + "  { type = usb-bulk, slot = \"1-2\", speed = high, data-rate = 1 }\n"
      + "]\n";

  @Test
  void badClientsLoseOnlyTheirOwnConnection() throws Exception {
    try (UsbipServer server = UsbipServer.start(ScenarioLoader.parse("adversarial.conf", SCENARIO),
        new UsbipServer.Options("127.0.0.1", 0, null, 1.0, 3), line -> {});
        UsbipTestClient good = new UsbipTestClient(server.port())) {
      int port = server.port();
      assertNotNull(good.importDevice("1-2"));
      Random random = new Random(1234);

      // random bytes before any operation
      for (int i = 0; i < 5; i++) {
        try (UsbipTestClient c = new UsbipTestClient(port)) {
          byte[] junk = new byte[1 + random.nextInt(4000)];
          random.nextBytes(junk);
          junk[0] = 0x7f; // never a valid version
          c.send(junk);
          assertTrue(c.closedByServer(), "garbage closes the connection");
        }
        assertGoodStillWorks(good);
      }
      // a wrong version, a truncated op header, an unknown operation
      try (UsbipTestClient c = new UsbipTestClient(port)) {
        c.send(new UsbipProtocol.OpCommon(0x0106, UsbipProtocol.OP_REQ_DEVLIST, 0).encode());
        assertTrue(c.closedByServer());
      }
      try (UsbipTestClient c = new UsbipTestClient(port)) {
        c.send(new byte[] {0x01, 0x11, (byte) 0x80});
      }
      try (UsbipTestClient c = new UsbipTestClient(port)) {
        c.send(new UsbipProtocol.OpCommon(0x0111, 0x8002, 0).encode()); // OP_REQ_DEVINFO: not served
        assertTrue(c.closedByServer());
      }
      assertGoodStillWorks(good);

      // after import: a truncated URB header; an absurd transfer length; too many iso packets; garbage commands
      byte[][] bad = {
          new byte[20],
          header(UsbipProtocol.CMD_SUBMIT, UsbipProtocol.DIR_OUT, Integer.MAX_VALUE, 0),
          header(UsbipProtocol.CMD_SUBMIT, UsbipProtocol.DIR_OUT, -5, 0),
          header(UsbipProtocol.CMD_SUBMIT, UsbipProtocol.DIR_IN, 0, 100_000),
          header(UsbipProtocol.RET_SUBMIT, UsbipProtocol.DIR_IN, 0, 0),
          header(0x0bad, 0, 0, 0),
      };
      for (byte[] b : bad) {
        try (UsbipTestClient c = new UsbipTestClient(port)) {
          assertNotNull(c.importDevice("1-1"), "the previous bad client released the device");
          c.send(b);
          if (b.length == 20) c.socket.shutdownOutput();
          assertTrue(c.closedByServer(), "closed after " + b.length + " bytes");
        }
        assertGoodStillWorks(good);
      }

      try (UsbipTestClient c = new UsbipTestClient(port)) {
        assertNotNull(c.importDevice("1-1"));
        // thousands of pipelined OUT submits: every one is answered exactly once
        int n = 3000;
        Set<Integer> sent = new HashSet<>();
        for (int i = 0; i < n; i++) sent.add(c.bulk(2, UsbipProtocol.DIR_OUT, 64));
        for (int i = 0; i < n; i++) {
          RetSubmit r = assertInstanceOf(RetSubmit.class, c.next());
          assertTrue(sent.remove(r.basic().seqnum()), "answered once: #" + r.basic().seqnum());
          assertEquals(0, r.status());
          assertEquals(64, r.actualLength());
        }
        // thousands of IN submits that never complete, then unlinked: -ECONNRESET each, no RET_SUBMIT
        int m = 2000;
        int[] ins = new int[m];
        for (int i = 0; i < m; i++) ins[i] = c.bulk(1, UsbipProtocol.DIR_IN, 512);
        for (int i = 0; i < m; i++) c.unlink(ins[i]);
        for (int i = 0; i < m; i++) {
          Pdu p = c.next();
          RetUnlink u = assertInstanceOf(RetUnlink.class, p, "only RET_UNLINKs, got " + p);
          assertEquals(-Errno.ECONNRESET, u.status());
        }
        // unlinks of seqnums nobody submitted: RET_UNLINK 0
        for (int i = 0; i < 100; i++) {
          int s = c.unlink(1_000_000 + i);
          RetUnlink u = assertInstanceOf(RetUnlink.class, c.next());
          assertEquals(s, u.basic().seqnum());
          assertEquals(0, u.status());
        }
        assertTrue(c.silentFor(200));
        // and then leaves with IN URBs in flight
        for (int i = 0; i < 500; i++) c.bulk(1, UsbipProtocol.DIR_IN, 512);
      }
      assertGoodStillWorks(good);
      List<UsbipProtocol.UsbDevice> list = UsbipTestClient.devlist(port);
      assertEquals(List.of("1-1", "1-2"), list.stream().map(UsbipProtocol.UsbDevice::busid).toList());
      // the server frees the device when it sees the connection close, which may come after our next import
      // (as with usbipd): the import must succeed once it has, within a generous bound
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
      Object imported = null;
      while (imported == null && System.nanoTime() < deadline) {
        try (UsbipTestClient c = new UsbipTestClient(port)) {
          imported = c.importDevice("1-1");
        }
        if (imported == null) Thread.sleep(50);
      }
      assertNotNull(imported, "free again after the flooding client left");
    }
  }

  private static byte[] header(int command, int direction, int length, int packets) {
    ByteBuffer bb = ByteBuffer.allocate(UsbipProtocol.HEADER_SIZE);
    bb.putInt(0, command).putInt(4, 1).putInt(12, direction).putInt(16, 2).putInt(24, length).putInt(32, packets);
    return bb.array();
  }

  private static void assertGoodStillWorks(UsbipTestClient good) throws Exception {
    int s = good.control(0x80, 6, 0x0100, 0, 18, null);
    RetSubmit r = assertInstanceOf(RetSubmit.class, good.next());
    assertEquals(s, r.basic().seqnum());
    assertEquals(0, r.status());
    assertEquals(18, r.data().length);
    s = good.bulk(2, UsbipProtocol.DIR_OUT, 512);
    r = assertInstanceOf(RetSubmit.class, good.next());
    assertEquals(s, r.basic().seqnum());
    assertEquals(512, r.actualLength());
  }

}
