package dev.devemu.usbip;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.hw.device.usb.BulkUsbDevice;
import dev.devemu.hw.device.usb.IsoUsbDevice;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import dev.devemu.usbip.UsbipProtocol.Basic;
import dev.devemu.usbip.UsbipProtocol.CmdSubmit;
import dev.devemu.usbip.UsbipProtocol.IsoPacket;
import dev.devemu.usbip.UsbipProtocol.RetSubmit;
import dev.devemu.usbip.UsbipProtocol.RetUnlink;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Isochronous transfers over the export, against the {@code usb-iso} device: alternate settings through
 * SET_INTERFACE, IN and OUT URBs of several packets with per-packet descriptors and IN data packed by actual
 * length, packet errors from the fault plan in the descriptors and error_count, an unlinked iso URB, bad iso
 * URBs that cost only their own connection, and a session with all of it replaying byte for byte.
 */
class UsbipIsoTest {
  static final int GET_DESCRIPTOR = 6, SET_CONFIGURATION = 9, GET_INTERFACE = 10, SET_INTERFACE = 11;
  static final int PACKET = 192;

  @TempDir
  Path dir;

  static String scenario(String faults) {
    return "scenario { name = \"usbip-iso\", duration = 10s }\n"
        + "devices = [ { type = usb-iso, slot = \"1-1\", speed = high, packet-size = " + PACKET + " },\n"
        + "            { type = usb-iso, slot = \"1-2\", speed = high } ]\n"
        + (faults == null ? "" : "faults { " + faults + " }\n");
  }

  static UsbipServer start(String text, Path record) throws Exception {
    return UsbipServer.start(ScenarioLoader.parse("test.conf", text),
        new UsbipServer.Options("127.0.0.1", 0, record, 1.0, 7), line -> {});
  }

  /** SET_CONFIGURATION 1, then SET_INTERFACE(0, 1): the streaming alternate setting. */
  static void startStreaming(UsbipTestClient c) throws Exception {
    int s = c.control(0x00, SET_CONFIGURATION, 1, 0, 0, new byte[0]);
    assertEquals(0, UsbipServerTest.ret(c.next(), s).status());
    s = c.control(0x01, SET_INTERFACE, 1, 0, 0, new byte[0]);
    assertEquals(0, UsbipServerTest.ret(c.next(), s).status(), "SET_INTERFACE to alternate setting 1");
  }

  /** Checks the descriptors, actual_length, error_count and the packing of an IN answer. */
  static void checkIn(RetSubmit r, int[] lengths) {
    assertEquals(0, r.status(), "an iso URB completes; its packets carry what went wrong");
    assertEquals(lengths.length, r.numberOfPackets());
    assertEquals(lengths.length, r.iso().size());
    int sum = 0;
    int errors = 0;
    int offset = 0;
    for (int i = 0; i < lengths.length; i++) {
      IsoPacket p = r.iso().get(i);
      assertEquals(offset, p.offset(), "packet " + i + " keeps the client's offset");
      assertEquals(lengths[i], p.length());
      offset += lengths[i];
      sum += p.actualLength();
      if (p.status() != 0) errors++;
    }
    assertEquals(sum, r.actualLength(), "actual_length is the sum of the packets' (usbip_recv_iso checks it)");
    assertEquals(sum, r.data().length, "IN data packed back to back by actual length");
    assertEquals(errors, r.errorCount());
  }

  /** The service interval whose bytes the first good packet carries, found from the device's IN stream. */
  static long intervalOf(byte[] packet, int startFrame) {
    for (long k = startFrame; k < startFrame + 2048L * 200; k += 2048) {
      if (Arrays.equals(packet, BulkUsbDevice.content(k * PACKET, packet.length))) return k;
    }
    return fail("packet bytes are not the IN stream of any interval congruent to start_frame " + startFrame);
  }

  @Test
  void isoInAndOutUnlinkAndReplay() throws Exception {
    Path session = dir.resolve("iso.session");
    try (UsbipServer server = start(scenario(null), session)) {
      int port = server.port();
      List<UsbipProtocol.UsbDevice> list = UsbipTestClient.devlist(port);
      assertEquals(2, list.size());
      assertEquals(0x1235, list.get(0).idProduct());
      assertEquals(UsbSpeed.HIGH.linuxValue(), list.get(0).speed());
      assertEquals(List.of(new UsbipProtocol.UsbInterface(0xff, 0, 0)), list.get(0).interfaces(),
          "one interface (its alternate settings are not listed)");
      try (UsbipTestClient c = new UsbipTestClient(port)) {
        assertNotNull(c.importDevice("1-1"));
        // the configuration: one interface, alt 0 without endpoints, alt 1 with iso IN 0x81 and OUT 0x02
        int s = c.control(0x80, GET_DESCRIPTOR, 0x0200, 0, 255, null);
        byte[] config = UsbipServerTest.ret(c.next(), s).data();
        assertArrayEquals(new IsoUsbDevice(UsbSpeed.HIGH, PACKET).configuration().toBytes(), config);
        assertEquals(1, config[4], "bNumInterfaces counts interfaces, not alternate settings");
        assertArrayEquals(new byte[] {9, 4, 0, 0, 0, (byte) 0xff, 0, 0, 0}, Arrays.copyOfRange(config, 9, 18));
        assertArrayEquals(new byte[] {9, 4, 0, 1, 2, (byte) 0xff, 0, 0, 0}, Arrays.copyOfRange(config, 18, 27));
        // endpoint 0x81: isochronous asynchronous, wMaxPacketSize 192, bInterval 4 (8 microframes = 1 ms)
        assertArrayEquals(new byte[] {7, 5, (byte) 0x81, 0x05, (byte) PACKET, 0, 4}, Arrays.copyOfRange(config, 27, 34));
        assertArrayEquals(new byte[] {7, 5, 0x02, 0x09, (byte) PACKET, 0, 4}, Arrays.copyOfRange(config, 34, 41));

        // before SET_INTERFACE the endpoints are not there: a STALL in every packet
        s = c.control(0x00, SET_CONFIGURATION, 1, 0, 0, new byte[0]);
        assertEquals(0, UsbipServerTest.ret(c.next(), s).status());
        s = c.iso(1, UsbipProtocol.DIR_IN, new int[] {PACKET, PACKET}, null);
        RetSubmit r = UsbipServerTest.ret(c.next(), s);
        assertEquals(0, r.actualLength());
        assertTrue(r.iso().stream().allMatch(p -> p.status() == -Errno.EPIPE), r.iso().toString());
        // an alternate setting the interface does not have: STALL; GET_INTERFACE says 0
        s = c.control(0x01, SET_INTERFACE, 2, 0, 0, new byte[0]);
        assertEquals(-Errno.EPIPE, UsbipServerTest.ret(c.next(), s).status());
        s = c.control(0x81, GET_INTERFACE, 0, 0, 1, null);
        assertArrayEquals(new byte[] {0}, UsbipServerTest.ret(c.next(), s).data());
        s = c.control(0x01, SET_INTERFACE, 1, 0, 0, new byte[0]);
        assertEquals(0, UsbipServerTest.ret(c.next(), s).status());
        s = c.control(0x81, GET_INTERFACE, 0, 0, 1, null);
        assertArrayEquals(new byte[] {1}, UsbipServerTest.ret(c.next(), s).data());

        // iso IN, 8 packets, one asking for fewer bytes than the device has per interval
        int[] lengths = {PACKET, PACKET, PACKET, 100, PACKET, PACKET, PACKET, PACKET};
        s = c.iso(1, UsbipProtocol.DIR_IN, lengths, null);
        r = UsbipServerTest.ret(c.next(), s);
        checkIn(r, lengths);
        assertEquals(0, r.errorCount());
        assertEquals(7 * PACKET + 100, r.actualLength());
        long k0 = intervalOf(Arrays.copyOf(r.data(), PACKET), r.startFrame());
        assertEquals(k0 & 0x7ff, r.startFrame(), "start_frame is the first packet's frame");
        int at = 0;
        for (int i = 0; i < lengths.length; i++) {
          // one packet per service interval, in consecutive intervals
          assertArrayEquals(BulkUsbDevice.content((k0 + i) * PACKET, lengths[i]),
              Arrays.copyOfRange(r.data(), at, at + lengths[i]), "packet " + i);
          at += lengths[i];
        }

        // iso OUT, 4 packets with their bytes
        byte[] out = new byte[4 * PACKET];
        for (int i = 0; i < out.length; i++) out[i] = (byte) (i * 13);
        s = c.iso(2, UsbipProtocol.DIR_OUT, new int[] {PACKET, PACKET, PACKET, PACKET}, out);
        r = UsbipServerTest.ret(c.next(), s);
        assertEquals(0, r.status());
        assertEquals(4 * PACKET, r.actualLength());
        assertEquals(0, r.data().length, "no data comes back for OUT");
        assertEquals(0, r.errorCount());
        for (IsoPacket p : r.iso()) {
          assertEquals(PACKET, p.actualLength());
          assertEquals(0, p.status());
        }

        // unlink of an iso URB in flight (1000 packets = one second of intervals): -ECONNRESET, no RET_SUBMIT
        int[] many = new int[1000];
        Arrays.fill(many, PACKET);
        int victim = c.iso(1, UsbipProtocol.DIR_IN, many, null);
        int u = c.unlink(victim);
        RetUnlink ru = assertInstanceOf(RetUnlink.class, c.next());
        assertEquals(u, ru.basic().seqnum());
        assertEquals(-Errno.ECONNRESET, ru.status());
        assertTrue(c.silentFor(300), "no RET_SUBMIT for the unlinked iso URB");
        // the stream goes on
        s = c.iso(1, UsbipProtocol.DIR_IN, new int[] {PACKET, PACKET}, null);
        r = UsbipServerTest.ret(c.next(), s);
        checkIn(r, new int[] {PACKET, PACKET});
        assertEquals(2 * PACKET, r.actualLength());
      }
    }
    SessionReplay.Result replay = SessionReplay.replay(Session.read(session));
    assertTrue(replay.identical(), replay.firstDifference());
    assertTrue(replay.answers() >= 14, "the replay answered " + replay.answers());
    assertEquals(replay, SessionReplay.replay(Session.read(session)));
  }

  @Test
  void packetErrorsFromTheFaultPlanShowPerPacket() throws Exception {
    Path session = dir.resolve("faults.session");
    String faults = "probability { usb_iso_missed = 0.25, usb_babble = 0.25, usb_transaction_error = 0.25 }";
    try (UsbipServer server = start(scenario(faults), session)) {
      try (UsbipTestClient c = new UsbipTestClient(server.port())) {
        assertNotNull(c.importDevice("1-1"));
        startStreaming(c);
        int[] lengths = new int[48];
        Arrays.fill(lengths, PACKET);
        int s = c.iso(1, UsbipProtocol.DIR_IN, lengths, null);
        RetSubmit r = UsbipServerTest.ret(c.next(), s);
        checkIn(r, lengths);
        Set<Integer> seen = new java.util.HashSet<>();
        int at = 0;
        for (IsoPacket p : r.iso()) {
          seen.add(p.status());
          if (p.status() == -Errno.EXDEV || p.status() == -Errno.EPROTO) {
            assertEquals(0, p.actualLength(), "a missed or damaged packet carries no data: " + p);
          } else {
            assertTrue(p.status() == 0 || p.status() == -Errno.EOVERFLOW, "status " + p.status());
            assertEquals(PACKET, p.actualLength());
          }
          at += p.actualLength();
        }
        assertEquals(Set.of(0, -Errno.EXDEV, -Errno.EOVERFLOW, -Errno.EPROTO), seen,
            "every kind of packet error appears among 48 packets: " + r.iso());
        assertTrue(r.errorCount() > 0 && r.errorCount() < lengths.length, "error_count " + r.errorCount());
        assertEquals(at, r.data().length);
      }
    }
    SessionReplay.Result replay = SessionReplay.replay(Session.read(session));
    assertTrue(replay.identical(), replay.firstDifference());
  }

  @Test
  void badIsoUrbsCloseOnlyTheirConnection() throws Exception {
    try (UsbipServer server = start(scenario(null), null)) {
      int port = server.port();
      try (UsbipTestClient good = new UsbipTestClient(port)) {
        assertNotNull(good.importDevice("1-2"));
        startStreaming(good);
        // number_of_packets far above USBIP_MAX_ISO_PACKETS: that connection is closed
        try (UsbipTestClient bad = new UsbipTestClient(port)) {
          assertNotNull(bad.importDevice("1-1"));
          bad.send(new CmdSubmit(new Basic(UsbipProtocol.CMD_SUBMIT, 1, UsbipTestClient.DEVID, UsbipProtocol.DIR_IN, 1),
              UsbipTestClient.URB_ISO_ASAP, 192, 0, 5000, 1, new byte[8], new byte[0], List.of()).encode());
          assertTrue(bad.closedByServer(), "number_of_packets 5000 closes the connection");
        }
        // a packet longer than wMaxPacketSize (usb_submit_urb: -EMSGSIZE), on an imported, streaming device
        try (UsbipTestClient bad = new UsbipTestClient(port)) {
          assertNotNull(bad.importDevice("1-1"), "the device was released by the closed connection");
          startStreaming(bad);
          bad.iso(1, UsbipProtocol.DIR_IN, new int[] {PACKET, 4096}, null);
          assertTrue(bad.closedByServer(), "an oversized iso packet closes the connection");
        }
        // number_of_packets 0 on an iso endpoint (usb_submit_urb: -EINVAL)
        try (UsbipTestClient bad = new UsbipTestClient(port)) {
          assertNotNull(bad.importDevice("1-1"));
          startStreaming(bad);
          bad.iso(1, UsbipProtocol.DIR_IN, new int[0], null);
          assertTrue(bad.closedByServer(), "an iso URB without packets closes the connection");
        }
        // the other connection still streams
        int s = good.iso(1, UsbipProtocol.DIR_IN, new int[] {PACKET, PACKET, PACKET}, null);
        RetSubmit r = UsbipServerTest.ret(good.next(), s);
        checkIn(r, new int[] {PACKET, PACKET, PACKET});
        assertEquals(3 * PACKET, r.actualLength());
      }
      assertEquals(2, UsbipTestClient.devlist(port).size(), "the server still lists both devices");
    }
  }
  @Test
  void floodOfLargeIsoUrbsIsHeldBackByThePacketWeightedCap() throws Exception {
    Path session = dir.resolve("flood.session");
    double seconds;
    try (UsbipServer server = start(scenario(null), session)) {
      int port = server.port();
      UsbipTestClient flooder = new UsbipTestClient(port);
      assertNotNull(flooder.importDevice("1-1"));
      startStreaming(flooder);
      int[] max = new int[UsbipProtocol.MAX_ISO_PACKETS];
      Arrays.fill(max, PACKET);
      // 200 URBs of 1024 packets (200 s of stream), never reading an answer
      Thread t = new Thread(() -> {
        try {
          for (int i = 0; i < 200; i++) flooder.iso(1, UsbipProtocol.DIR_IN, max, null);
        } catch (java.io.IOException closed) {
          // the test closes the socket under the blocked writer
        }
      });
      long started = System.nanoTime();
      t.start();
      Thread.sleep(1000);
      try (UsbipTestClient good = new UsbipTestClient(port)) {
        assertNotNull(good.importDevice("1-2"));
        startStreaming(good);
        int s = good.iso(1, UsbipProtocol.DIR_IN, new int[] {PACKET, PACKET}, null);
        assertEquals(2 * PACKET, UsbipServerTest.ret(good.next(), s).actualLength(), "another client streams on");
      }
      flooder.close();
      seconds = (System.nanoTime() - started) / 1e9;
      t.join(10_000);
      assertFalse(t.isAlive());
      long deadline = System.nanoTime() + 5_000_000_000L;
      boolean imported = false;
      while (!imported && System.nanoTime() < deadline) {
        try (UsbipTestClient again = new UsbipTestClient(port)) {
          imported = again.importDevice("1-1") != null;
        }
        if (!imported) Thread.sleep(100);
      }
      assertTrue(imported, "the flooder's device is released when it goes");
    }
    // only as many 1024-packet URBs reached the device side as the cap admits (16384 / 1024 in flight), plus one
    // for each that completed meanwhile (one per 1.024 s of stream); without the packet weight all 200 would
    long admitted = java.nio.file.Files.readAllLines(session).stream()
        .filter(l -> l.startsWith("in ") && l.contains(" urb ") && l.length() > 16_000).count();
    long bound = UsbipServer.MAX_IN_FLIGHT / UsbipProtocol.MAX_ISO_PACKETS + (long) Math.ceil(seconds / 1.024) + 1;
    assertTrue(admitted >= UsbipServer.MAX_IN_FLIGHT / UsbipProtocol.MAX_ISO_PACKETS && admitted <= bound,
        "large iso URBs admitted: " + admitted + " in " + seconds + " s, bound " + bound);
  }
  @Test
  void linkDownFailsTheRemainingPacketsWithEproto() throws Exception {
    Path session = dir.resolve("link.session");
    String faults = "events = [ { at = 2500ms, action = link-down, slot = \"1-1\", restore-after = 60s } ]";
    try (UsbipServer server = start(scenario(faults), session)) {
      try (UsbipTestClient c = new UsbipTestClient(server.port())) {
        assertNotNull(c.importDevice("1-1"));
        startStreaming(c);
        int[] max = new int[UsbipProtocol.MAX_ISO_PACKETS];
        Arrays.fill(max, PACKET);
        // four seconds of stream queued; the link goes down 2.5 s into the export
        int[] seqs = new int[4];
        for (int i = 0; i < seqs.length; i++) seqs[i] = c.iso(1, UsbipProtocol.DIR_IN, max, null);
        boolean down = false;
        int failed = 0;
        for (int seq : seqs) {
          RetSubmit r = UsbipServerTest.ret(c.next(), seq);
          checkIn(r, max);
          for (IsoPacket p : r.iso()) {
            if (p.status() == -Errno.EPROTO) {
              down = true;
              failed++;
              assertEquals(0, p.actualLength());
            } else {
              assertFalse(down, "once the link is down every later packet fails: " + p);
              assertEquals(0, p.status());
            }
          }
        }
        assertTrue(failed > 0 && failed < 4 * max.length, failed + " packets failed");
        // while the link is down a new URB fails in every packet at once
        int s = c.iso(1, UsbipProtocol.DIR_IN, new int[] {PACKET, PACKET}, null);
        RetSubmit r = UsbipServerTest.ret(c.next(), s);
        assertEquals(2, r.errorCount());
        assertEquals(0, r.actualLength());
      }
    }
    SessionReplay.Result replay = SessionReplay.replay(Session.read(session));
    assertTrue(replay.identical(), replay.firstDifference());
  }
}
