package dev.devemu.usbip;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.devemu.hw.device.usb.BulkUsbDevice;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbSpeed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Linux kernel attaches a devemu export: a stock Debian kernel (linux-image-amd64) boots in QEMU without KVM
 * from a small initramfs ({@code .ci/qemu-guest.sh} builds it; its /init is {@code .ci/qemu-guest-init.sh}), and
 * the stock {@code usbip attach}es the scenario's device through QEMU's user network (the host's loopback is
 * 10.0.2.2 there). The guest reports on its serial console what its kernel made of the device — the sysfs
 * attributes of the enumerated device and its interface, the bulk URBs usbmon saw complete when the stock
 * {@code usbserial} generic driver read and wrote the device (the bytes it read are the model's IN stream), the
 * bytes a second, loopback-mode device gave back through the same driver, and the {@code USB disconnect} the
 * fault plan's surprise unplug caused — and the test compares that with the device model and with the recorded
 * session, which must then replay byte for byte.
 *
 * <p>Required in CI ({@code DEVEMU_REQUIRE_TOOLS=1}, where {@code .ci/run} calls {@code .ci/qemu-guest.sh});
 * skipped elsewhere when QEMU or the guest is missing.
 */
class UsbipQemuTest {
  /** The fault plan's surprise unplug, in virtual seconds after the export starts (when the guest has booted). */
  private static final int UNPLUG_AT_SECONDS = 15;

  @TempDir
  Path tmp;

  @Test
  void stockKernelAttachesEnumeratesMovesBulkDataAndSeesTheUnplug() throws Exception {
    Path guest = guestDir();
    String qemu = executable("qemu-system-x86_64");
    boolean required = "1".equals(System.getenv("DEVEMU_REQUIRE_TOOLS"));
    boolean ready = qemu != null && Files.isRegularFile(guest.resolve("vmlinuz"))
        && Files.isRegularFile(guest.resolve("initramfs.gz"));
    if (!ready) {
      String why = (qemu == null ? "qemu-system-x86_64 not installed; " : "") + "no guest kernel/initramfs in "
          + guest.toAbsolutePath() + " (run .ci/qemu-guest.sh)";
      assertFalse(required, "the QEMU guest is required (DEVEMU_REQUIRE_TOOLS=1): " + why);
      assumeTrue(false, why);
    }

    // vhci-hcd takes SuperSpeedPlus devices only from Linux 6.11 on; Debian 12's kernel is 6.1: SuperSpeed
    Path scenarioFile = tmp.resolve("usbip-qemu.conf");
    Files.writeString(scenarioFile, """
        scenario {
          name = "usbip-qemu"
          description = "a stock kernel in QEMU attaches the bulk device over USB/IP; the fault plan pulls it out"
          duration = 600s
        }
        machine {
          cpus = 2
          lookahead = 20us
        }
        devices = [
          { type = usb-bulk, slot = "1-1", speed = super, data-rate = 1000000 }
          { type = usb-bulk, slot = "1-2", speed = super, loopback = true }
        ]
        drivers = [
          { name = my_usb, variant = safe }
        ]
        faults {
          events = [
            { at = %ds, when = with-urbs-in-flight, action = surprise-unplug, slot = "1-1" }
          ]
        }
        """.formatted(UNPLUG_AT_SECONDS));
    Scenario scenario = ScenarioLoader.load(scenarioFile);
    DeviceSpec.UsbModel usb = scenario.devices().get(0).usbModel();

    Path session = tmp.resolve("qemu.session");
    List<String> serverLog = new CopyOnWriteArrayList<>();
    List<String> console = new CopyOnWriteArrayList<>();
    CountDownLatch booted = new CountDownLatch(1);

    List<String> cmd = new ArrayList<>(List.of(qemu, "-machine", "pc", "-accel", "tcg", "-m", "256", "-smp", "1",
        "-nographic", "-no-reboot", "-kernel", guest.resolve("vmlinuz").toString(),
        "-initrd", guest.resolve("initramfs.gz").toString(),
        "-append", "console=ttyS0 loglevel=3 panic=-1 devemu.busid=" + usb.port()
            + " devemu.loopback=1-2 devemu.wait=90",
        "-netdev", "user,id=n0", "-device", "e1000,netdev=n0,romfile="));
    Path qboot = Path.of("/usr/share/qemu/qboot.rom"); // boots a -kernel faster than SeaBIOS
    if (Files.isRegularFile(qboot)) cmd.addAll(List.of("-bios", qboot.toString()));
    long start = System.nanoTime();
    Process vm = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(vm.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          console.add(line);
          if (line.contains("DEVEMU booted")) booted.countDown();
        }
      } catch (IOException e) {
        console.add("(console read failed: " + e + ")");
      }
    }, "qemu-console");
    reader.setDaemon(true);
    reader.start();
    UsbipServer server = null;
    long bootedAt = 0;
    try {
      // The export starts when the guest is up, so the fault plan's clock starts with the guest's attach
      // rather than with a boot whose length depends on the machine's load.
      while (!booted.await(1, TimeUnit.SECONDS)) {
        assertTrue(vm.isAlive(), () -> "QEMU ended before the guest booted:\n" + String.join("\n", console));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(300),
            () -> "the guest did not boot in 300 s:\n" + String.join("\n", console));
      }
      bootedAt = System.nanoTime();
      server = UsbipServer.start(scenario, new UsbipServer.Options("127.0.0.1", 0, session, 1.0, 1), serverLog::add);
      // the export listens: tell the guest where, and to attach (QEMU's stdin is the guest's serial console)
      vm.getOutputStream().write(("go " + server.port() + "\n").getBytes(StandardCharsets.US_ASCII));
      vm.getOutputStream().flush();
      boolean ended = vm.waitFor(UNPLUG_AT_SECONDS + 200, TimeUnit.SECONDS);
      assertTrue(ended, () -> "the guest did not finish:\n" + String.join("\n", console));
      reader.join(5000);
    } finally {
      vm.destroyForcibly();
      if (server != null) server.close();
    }
    long end = System.nanoTime();
    System.out.printf("UsbipQemuTest: guest booted in %.1f s, attached, checked and saw the unplug in %.1f s%n",
        (bootedAt - start) / 1e9, (end - bootedAt) / 1e9);
    console.stream().filter(l -> l.contains("DEVEMU timeline: "))
        .forEach(l -> System.out.println("  guest at " + l.substring(l.indexOf("timeline: ") + 10)));
    String log = String.join("\n", console) + "\n--- server ---\n" + String.join("\n", serverLog);
    Map<String, String> facts = facts(console);

    assertFalse(facts.containsKey("error"), () -> "the guest reports an error: " + facts.get("error") + "\n" + log);
    assertTrue(facts.containsKey("done"), () -> "the guest did not finish its script:\n" + log);
    // vhci-hcd logs answers it cannot use (vhci_recv_ret_submit, usbip_recv_xbuff) and then drops the device
    assertEquals("0", facts.get("vhci-complaints"), () -> "vhci-hcd rejected answers of the export:\n" + log);

    // enumerated as the model defines the device
    UsbDescriptors.DeviceDescriptor d = usb.model().deviceDescriptor();
    UsbDescriptors.Configuration config = usb.model().configuration();
    assertEquals(String.format("%04x", d.idVendor()), facts.get("idVendor"), log);
    assertEquals(String.format("%04x", d.idProduct()), facts.get("idProduct"), log);
    assertEquals(String.format("%04x", d.bcdDevice()), facts.get("bcdDevice"), log);
    assertEquals(sysfsSpeed(usb.model().speed()), facts.get("speed"), log);
    assertEquals(Integer.toString(config.desc().configurationValue()), facts.get("bConfigurationValue"), log);
    assertEquals(Integer.toString(config.interfaces().size()), facts.get("bNumInterfaces"), log);
    assertEquals(String.format("%02x", d.deviceClass()), facts.get("bDeviceClass"), log);
    assertEquals(String.format("%x.%02x", d.bcdUsb() >> 8, d.bcdUsb() & 0xff), facts.get("version"), log);
    for (UsbDescriptors.Interface i : config.interfaces()) {
      int n = i.desc().number();
      assertEquals(String.format("%02x/%02x/%02x endpoints=%02x", i.desc().interfaceClass(),
          i.desc().interfaceSubClass(), i.desc().interfaceProtocol(), i.endpoints().size()),
          facts.get(String.format("interface.%02x", n)), log);
      for (UsbDescriptors.Endpoint e : i.endpoints()) {
        int address = e.desc().address();
        String type = switch (e.desc().attributes() & 3) {
          case 0 -> "Control";
          case 1 -> "Isoc";
          case 2 -> "Bulk";
          default -> "Interrupt";
        };
        assertEquals(String.format("%s %s maxp=%04x", type, (address & 0x80) != 0 ? "in" : "out",
            e.desc().maxPacketSize()), facts.get(String.format("endpoint.%02x.%02x", n, address)), log);
      }
    }

    // data moved on the bulk endpoints, through the stock usbserial generic driver
    assertEquals("usbserial_generic", facts.get("driver"), log);
    assertTrue(Long.parseLong(facts.get("tty-read-bytes")) > 0, () -> "nothing read from ttyUSB0:\n" + log);
    long readBytes = Long.parseLong(facts.get("tty-read-bytes"));
    long position = streamPosition(HexFormat.of().parseHex(facts.get("tty-read-head")));
    assertTrue(position >= 0, () -> "the bytes the guest read are not the model's IN stream:\n" + log);
    assertEquals(md5(BulkUsbDevice.content(position, (int) readBytes)), facts.get("tty-read-md5"),
        () -> "the guest read " + readBytes + " bytes from stream position " + position
            + " that differ from the model's stream (a gap or other bytes):\n" + log);
    long[] in = usbmon(facts.get("usbmon.bulk-in"));
    long[] out = usbmon(facts.get("usbmon.bulk-out"));
    assertTrue(in[1] > 0 && in[2] >= Long.parseLong(facts.get("tty-read-bytes")),
        () -> "usbmon saw no completed bulk IN URBs carrying what the tty read:\n" + log);
    String token = facts.get("tty-wrote");
    assertTrue(out[1] > 0 && out[2] >= token.length(), () -> "usbmon saw no completed bulk OUT URBs:\n" + log);
    assertEquals("yes", facts.get("present-after-checks"),
        () -> "the unplug came before the guest finished its checks (a very slow machine?):\n" + log);

    // the loopback device returned through the stock kernel's driver exactly what the guest wrote to it
    assertTrue(facts.getOrDefault("loopback", "").startsWith("ok"), () -> "loopback: " + facts.get("loopback")
        + "\n" + log);

    // the fault plan's surprise unplug: the guest kernel logs the disconnect and the device leaves sysfs
    assertTrue(facts.get("disconnect").contains("USB disconnect"), () -> "no disconnect in the guest:\n" + log);
    assertEquals("yes", facts.get("device-gone"), log);
    assertTrue(serverLog.stream().anyMatch(l -> l.contains("surprise-unplug " + usb.port())), log);

    // the session: the bytes the guest wrote arrived in a bulk OUT CMD_SUBMIT, and it replays byte for byte
    Session recorded = Session.read(session);
    assertTrue(bulkOutPayloads(session).contains(token), () -> "the guest's bulk OUT bytes are not in the session");
    SessionReplay.Result replay = SessionReplay.replay(recorded);
    assertTrue(replay.identical(), replay.firstDifference());
    assertTrue(replay.answers() > 20, "the replay answered " + replay.answers());
  }

  /** The first executable {@code name} on PATH, or null. */
  static String executable(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name).toString();
    }
    return null;
  }

  /** emulator/target/qemu-guest, where .ci/qemu-guest.sh puts the kernel and initramfs (or DEVEMU_QEMU_GUEST). */
  static Path guestDir() {
    String dir = System.getenv("DEVEMU_QEMU_GUEST");
    return dir != null ? Path.of(dir) : Path.of("target", "qemu-guest");
  }

  /** The "DEVEMU key=value" lines of the console (the last value of a key wins; "DEVEMU word" has value ""). */
  static Map<String, String> facts(List<String> console) {
    Map<String, String> facts = new LinkedHashMap<>();
    for (String line : console) {
      // a kernel message may share the line (the console is the kernel's too)
      int at = line.indexOf("DEVEMU ");
      if (at < 0) continue;
      String fact = line.substring(at + "DEVEMU ".length()).trim();
      if (fact.startsWith("dmesg:") || fact.startsWith("timeline:")) continue;
      int eq = fact.indexOf('=');
      if (eq < 0) facts.put(fact, "");
      else facts.put(fact.substring(0, eq), fact.substring(eq + 1));
    }
    return facts;
  }

  /**
   * Where in usb-bulk's IN stream {@code head} starts, or -1: its body bytes fix the offset in a 4096-byte block,
   * the next block's number (8 bytes at the boundary, which a 4104-byte head always contains) fixes the block.
   */
  static long streamPosition(byte[] head) {
    for (int offset = 0; offset < 4096; offset++) {
      int boundary = offset == 0 ? 0 : 4096 - offset;
      if (head.length < boundary + 8) return -1;
      long block = 0;
      for (int i = 7; i >= 0; i--) block = block << 8 | (head[boundary + i] & 0xff);
      long position = block * 4096 - boundary;
      if (position >= 0 && Arrays.equals(BulkUsbDevice.content(position, head.length), head)) return position;
    }
    return -1;
  }

  private static String md5(byte[] bytes) throws java.security.NoSuchAlgorithmException {
    return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes));
  }

  /** "N ok=M bytes=B" from the guest's usbmon summary: completions, successful ones, their bytes. */
  private static long[] usbmon(String summary) {
    assertNotNull(summary, "no usbmon summary from the guest");
    String[] f = summary.split(" ");
    return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1].substring(3)), Long.parseLong(f[2].substring(6))};
  }

  /** The sysfs "speed" attribute of a device (drivers/usb/core/sysfs.c speed_show). */
  private static String sysfsSpeed(UsbSpeed speed) {
    return switch (speed) {
      case LOW -> "1.5";
      case FULL -> "12";
      case HIGH -> "480";
      case SUPER -> "5000";
      case SUPER_PLUS -> "10000";
    };
  }

  /** The OUT payloads of the session's CMD_SUBMITs on data endpoints, as text. */
  private static String bulkOutPayloads(Path session) throws IOException {
    StringBuilder all = new StringBuilder();
    for (String line : Files.readAllLines(session, StandardCharsets.UTF_8)) {
      String[] f = line.split(" ", 5);
      if (f.length < 5 || !f[0].equals("in") || !f[3].equals("urb")) continue;
      byte[] b = Base64.getDecoder().decode(f[4]);
      UsbipProtocol.Pdu pdu = UsbipProtocol.decode(Arrays.copyOf(b, UsbipProtocol.HEADER_SIZE),
          Arrays.copyOfRange(b, UsbipProtocol.HEADER_SIZE, b.length));
      if (pdu instanceof UsbipProtocol.CmdSubmit s && s.basic().ep() != 0
          && s.basic().direction() == UsbipProtocol.DIR_OUT) {
        all.append(new String(s.data(), StandardCharsets.ISO_8859_1));
      }
    }
    return all.toString();
  }
}
