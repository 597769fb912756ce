package dev.devemu.usbip;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.hw.device.usb.BulkUsbDevice;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import dev.devemu.usbip.UsbipProtocol.Pdu;
import dev.devemu.usbip.UsbipProtocol.RetSubmit;
import dev.devemu.usbip.UsbipProtocol.RetUnlink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A protocol client against a live export: devlist, import, chapter 9 requests, bulk IN and OUT, a stall and
 * CLEAR_FEATURE, unlinks before and after completion, answers out of order, an unplug mid-transfer; and a
 * recorded session that replays to the same answers.
 */
class UsbipServerTest {
  static final int GET_STATUS = 0, CLEAR_FEATURE = 1, SET_FEATURE = 3, GET_DESCRIPTOR = 6, SET_CONFIGURATION = 9;

  @TempDir
  Path dir;

  static String scenario(String device, String faults) {
    return "scenario { name = \"usbip-test\", duration = 10s }\n"
        + "devices = [ { type = usb-bulk, slot = \"1-1\", " + device + " } ]\n"
        + (faults == null ? "" : "faults { " + faults + " }\n");
  }

  static UsbipServer start(String text, Path record) throws Exception {
    return UsbipServer.start(ScenarioLoader.parse("test.conf", text),
        new UsbipServer.Options("127.0.0.1", 0, record, 1.0, 7), line -> {});
  }

  static RetSubmit ret(Pdu p, int seqnum) {
    RetSubmit r = assertInstanceOf(RetSubmit.class, p, "expected RET_SUBMIT of #" + seqnum + ", got " + p);
    assertEquals(seqnum, r.basic().seqnum());
    assertEquals(UsbipProtocol.RET_SUBMIT, r.basic().command());
    return r;
  }

  @Test
  void importTransferStallUnlinkAndReplay() throws Exception {
    Path session = dir.resolve("s.session");
    // an IN endpoint that practically never has data (one 4 KiB record per ~70 min), so IN transfers stay
    // pending until unlinked
    try (UsbipServer server = start(scenario("speed = super-plus, data-rate = 1", null), session)) {
      int port = server.port();
      List<UsbipProtocol.UsbDevice> list = UsbipTestClient.devlist(port);
      assertEquals(1, list.size());
      UsbipProtocol.UsbDevice d = list.get(0);
      assertEquals("1-1", d.busid());
      assertEquals(0xabcd, d.idVendor());
      assertEquals(0x1234, d.idProduct());
      assertEquals(UsbSpeed.SUPER_PLUS.linuxValue(), d.speed());
      assertEquals(1, d.configurationValue());
      assertEquals(List.of(new UsbipProtocol.UsbInterface(0xff, 0, 0)), d.interfaces());

      try (UsbipTestClient c = new UsbipTestClient(port); UsbipTestClient second = new UsbipTestClient(port);
          UsbipTestClient unknown = new UsbipTestClient(port)) {
        assertEquals("1-1", c.importDevice("1-1").busid());
        assertNull(second.importDevice("1-1"), "a second importer of a busy device is refused");
        assertEquals(UsbipProtocol.ST_NA, second.lastImportStatus);
        assertTrue(second.closedByServer());
        assertNull(unknown.importDevice("9-9"));
        assertEquals(UsbipProtocol.ST_NA, unknown.lastImportStatus);

        // GET_DESCRIPTOR(DEVICE): the model's own 18 bytes
        int s = c.control(0x80, GET_DESCRIPTOR, 0x0100, 0, 18, null);
        RetSubmit r = ret(c.next(), s);
        assertEquals(0, r.status());
        byte[] expected = new BulkUsbDevice(UsbSpeed.SUPER_PLUS, 1, 0).deviceDescriptor().toBytes();
        assertArrayEquals(expected, r.data());
        // a short read of the configuration descriptor: wLength 9 gets 9 bytes, wTotalLength inside
        s = c.control(0x80, GET_DESCRIPTOR, 0x0200, 0, 9, null);
        r = ret(c.next(), s);
        assertEquals(9, r.actualLength());
        int total = (r.data()[2] & 0xff) | (r.data()[3] & 0xff) << 8;
        s = c.control(0x80, GET_DESCRIPTOR, 0x0200, 0, 255, null);
        assertEquals(total, ret(c.next(), s).actualLength());
        // an unknown descriptor type: STALL
        s = c.control(0x80, GET_DESCRIPTOR, 0x2200, 0, 64, null);
        assertEquals(-Errno.EPIPE, ret(c.next(), s).status());
        s = c.control(0x00, SET_CONFIGURATION, 1, 0, 0, new byte[0]);
        assertEquals(0, ret(c.next(), s).status());

        // bulk OUT: all of it is consumed
        s = c.bulk(2, UsbipProtocol.DIR_OUT, 4096);
        r = ret(c.next(), s);
        assertEquals(0, r.status());
        assertEquals(4096, r.actualLength());

        // pipelined, answered out of order: a pending bulk IN, then a control request that answers first
        int pendingIn = c.bulk(1, UsbipProtocol.DIR_IN, 4096);
        s = c.control(0x80, GET_STATUS, 0, 0, 2, null);
        assertEquals(s, ret(c.next(), s).basic().seqnum());
        // unlink before completion: -ECONNRESET and never a RET_SUBMIT for it
        int u = c.unlink(pendingIn);
        RetUnlink ru = assertInstanceOf(RetUnlink.class, c.next());
        assertEquals(u, ru.basic().seqnum());
        assertEquals(-Errno.ECONNRESET, ru.status());
        // unlink after completion: 0
        s = c.bulk(2, UsbipProtocol.DIR_OUT, 512);
        assertEquals(0, ret(c.next(), s).status());
        u = c.unlink(s);
        ru = assertInstanceOf(RetUnlink.class, c.next());
        assertEquals(0, ru.status());
        assertEquals(u, ru.basic().seqnum());

        // stall: SET_FEATURE(ENDPOINT_HALT) on 0x02, then OUT stalls with -EPIPE until CLEAR_FEATURE
        s = c.control(0x02, SET_FEATURE, 0, 0x02, 0, new byte[0]);
        assertEquals(0, ret(c.next(), s).status());
        s = c.bulk(2, UsbipProtocol.DIR_OUT, 4096);
        r = ret(c.next(), s);
        assertEquals(-Errno.EPIPE, r.status());
        assertEquals(0, r.actualLength());
        s = c.control(0x82, GET_STATUS, 0, 0x02, 2, null);
        assertEquals(1, ret(c.next(), s).data()[0], "GET_STATUS shows the halt");
        s = c.control(0x02, CLEAR_FEATURE, 0, 0x02, 0, new byte[0]);
        assertEquals(0, ret(c.next(), s).status());
        s = c.bulk(2, UsbipProtocol.DIR_OUT, 4096);
        assertEquals(0, ret(c.next(), s).status(), "the endpoint works again after CLEAR_FEATURE(ENDPOINT_HALT)");
        assertTrue(c.silentFor(300), "no RET_SUBMIT ever comes for the unlinked URB");
      }
    }
    SessionReplay.Result replay = SessionReplay.replay(Session.read(session));
    assertTrue(replay.identical(), replay.firstDifference());
    assertTrue(replay.answers() > 20, "the replay answered " + replay.answers());
    // and a second replay gives the same again
    assertEquals(replay, SessionReplay.replay(Session.read(session)));
  }

  @Test
  void unplugMidTransferClosesTheConnectionAndTheDeviceLeavesTheList() throws Exception {
    Path session = dir.resolve("unplug.session");
    String faults = "events = [ { at = 1500ms, action = unplug, slot = \"1-1\", restore-after = 1s } ]";
    try (UsbipServer server = start(scenario("data-rate = 1", faults), session)) {
      int port = server.port();
      try (UsbipTestClient c = new UsbipTestClient(port)) {
        assertNotNull(c.importDevice("1-1"));
        int s = c.bulk(1, UsbipProtocol.DIR_IN, 4096); // never answered: the device has no data
        assertTrue(c.closedByServer(), "the connection ends when the device is unplugged (as usbip-host)");
      }
      assertEquals(List.of(), UsbipTestClient.devlist(port), "an unplugged device is not exported");
      long deadline = System.nanoTime() + 5_000_000_000L;
      List<UsbipProtocol.UsbDevice> back = List.of();
      while (back.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
        back = UsbipTestClient.devlist(port);
      }
      assertEquals(1, back.size(), "plugged in again after restore-after");
      try (UsbipTestClient c = new UsbipTestClient(port)) {
        assertNotNull(c.importDevice("1-1"), "importable again");
      }
    }
    SessionReplay.Result replay = SessionReplay.replay(Session.read(session));
    assertTrue(replay.identical(), replay.firstDifference());
  }

  @Test
  void bulkInReturnsTheDevicesRecords() throws Exception {
    try (UsbipServer server = start(scenario("data-rate = 4096000", null), null)) {
      try (UsbipTestClient c = new UsbipTestClient(server.port())) {
        assertNotNull(c.importDevice("1-1"));
        List<Integer> seqs = new ArrayList<>();
        for (int i = 0; i < 8; i++) seqs.add(c.bulk(1, UsbipProtocol.DIR_IN, 4096));
        int bytes = 0;
        for (int i = 0; i < 8; i++) {
          RetSubmit r = ret(c.next(), seqs.get(i)); // one endpoint's queue completes in order
          assertEquals(0, r.status());
          assertTrue(r.actualLength() > 0 && r.actualLength() <= 4096, "actual " + r.actualLength());
          assertEquals(r.actualLength(), r.data().length);
          bytes += r.actualLength();
        }
        assertTrue(bytes >= 4096, "moved " + bytes);
      }
    }
  }

  @Test
  void urbErrorProbabilityStallsLiveUrbs() throws Exception {
    try (UsbipServer server = start(scenario("data-rate = 1", "probability { usb_stall = 1.0 }"), null)) {
      try (UsbipTestClient c = new UsbipTestClient(server.port())) {
        assertNotNull(c.importDevice("1-1"));
        int s = c.bulk(2, UsbipProtocol.DIR_OUT, 1024);
        assertEquals(-Errno.EPIPE, ret(c.next(), s).status());
        s = c.bulk(2, UsbipProtocol.DIR_OUT, 1024);
        assertEquals(-Errno.EPIPE, ret(c.next(), s).status(), "the endpoint stays halted");
      }
    }
  }
}
