package dev.devemu.usbip;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.devemu.cli.ExitCodes;
import dev.devemu.cli.Main;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.spec.usb.UsbDescriptors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The stock Linux {@code usbip} tool (Debian package usbip) lists what {@code devemu usbip} exports: every USB
 * device of every shipped scenario with its vendor:product, class triple and interfaces. Required in CI
 * ({@code DEVEMU_REQUIRE_TOOLS=1}); skipped elsewhere when the tool is missing.
 */
class UsbipToolTest {
  @TempDir
  Path tmp;

  /** usbip lives in /usr/sbin, which is not on every user's PATH. */
  static String usbipTool() {
    List<String> candidates = new ArrayList<>();
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) candidates.add(dir + "/usbip");
    candidates.addAll(List.of("/usr/sbin/usbip", "/sbin/usbip", "/usr/local/sbin/usbip"));
    for (String c : candidates) {
      if (!Files.isExecutable(Path.of(c))) continue;
      try {
        Process p = new ProcessBuilder(c, "version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) return c;
      } catch (Exception e) {
        // try the next
      }
    }
    return null;
  }

  @Test
  void stockUsbipListsEveryExportedDevice() throws Exception {
    String tool = usbipTool();
    if (tool == null) {
      assertFalse("1".equals(System.getenv("DEVEMU_REQUIRE_TOOLS")),
          "usbip is required (DEVEMU_REQUIRE_TOOLS=1) but not installed (apt-get install usbip)");
      assumeTrue(false, "usbip not installed");
    }
    List<Path> scenarios = new ArrayList<>();
    // scenarios/usbip/ holds devices only a USB/IP host drives (usb-iso)
    for (String dir : List.of("../scenarios", "../scenarios/usbip")) {
      try (Stream<Path> s = Files.list(Path.of(dir))) {
        scenarios.addAll(s.filter(p -> p.toString().endsWith(".conf")).sorted().toList());
      }
    }
    int listed = 0;
    for (Path file : scenarios) {
      Scenario scenario = ScenarioLoader.load(file);
      List<DeviceSpec.UsbModel> usb = scenario.devices().stream().map(DeviceSpec::usbModel)
          .filter(m -> m != null && m.present()).toList();
      // a fault plan that unplugs a USB device takes it off the list as soon as it acts (my_usb-unplug: 5 ms)
      boolean unplugs = scenario.faults().events().stream().anyMatch(e -> e.slot() != null && usbSlot(usb, e.slot()))
          || scenario.faults().recurring().stream().anyMatch(r -> r.slot() != null && usbSlot(usb, r.slot()));
      if (usb.isEmpty() || unplugs) continue;
      try (UsbipServer server = UsbipServer.start(scenario,
          new UsbipServer.Options("127.0.0.1", 0, null, 1.0, 1), line -> {})) {
        Process p = new ProcessBuilder(tool, "--tcp-port", Integer.toString(server.port()), "list", "-r", "127.0.0.1")
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), file + ": usbip list -r failed:\n" + out);
        for (DeviceSpec.UsbModel m : usb) {
          UsbDescriptors.DeviceDescriptor d = m.model().deviceDescriptor();
          String ids = String.format("(%04x:%04x)", d.idVendor(), d.idProduct());
          assertTrue(out.lines().anyMatch(l -> l.trim().startsWith(m.port() + ":") && l.contains(ids)),
              file + ": " + m.port() + " " + ids + " not listed:\n" + out);
          assertTrue(out.contains(String.format("(%02x/%02x/%02x)", d.deviceClass(), d.deviceSubClass(),
              d.deviceProtocol())), file + ": device class triple missing:\n" + out);
          for (UsbDescriptors.Interface i : m.model().configuration().interfaces()) {
            String line = String.format("%2d - ", i.desc().number());
            String triple = String.format("(%02x/%02x/%02x)", i.desc().interfaceClass(), i.desc().interfaceSubClass(),
                i.desc().interfaceProtocol());
            assertTrue(out.lines().anyMatch(l -> l.contains(line) && l.contains(triple)),
                file + ": interface " + i.desc().number() + " " + triple + " missing:\n" + out);
          }
          listed++;
        }
      }
    }
    assertTrue(listed > 0, "no shipped scenario has a USB device the fault plan leaves alone (usb-basic.conf has)");
  }

  private static boolean usbSlot(List<DeviceSpec.UsbModel> usb, String slot) {
    return usb.stream().anyMatch(m -> m.port().toString().equals(slot));
  }

  @Test
  void cliServesRecordsAndReplays() throws Exception {
    Path session = tmp.resolve("cli.session");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.execute(new CommandLine(new Main()), new PrintStream(out), new PrintStream(err), "usbip",
        "../scenarios/usb-basic.conf", "--port", "0", "--for", "500ms", "--record", session.toString());
    assertEquals(ExitCodes.OK, code, err.toString());
    String text = out.toString();
    assertTrue(text.contains("exporting 1-1 on 127.0.0.1:"), text);
    assertTrue(text.contains("loopback only"), text);

    out.reset();
    code = Main.execute(new CommandLine(new Main()), new PrintStream(out), new PrintStream(err), "usbip",
        "--replay", session.toString());
    assertEquals(ExitCodes.OK, code, out + "\n" + err);
    assertTrue(out.toString().contains("identical"), out.toString());
    out.reset();
    code = Main.execute(new CommandLine(new Main()), new PrintStream(out), new PrintStream(err), "replay",
        session.toString());
    assertEquals(ExitCodes.OK, code, out + "\n" + err);
    assertTrue(out.toString().contains("identical"), "devemu replay takes a session too: " + out);

    // a damaged session names its file and line
    List<String> lines = new ArrayList<>(Files.readAllLines(session));
    lines.add(3, "in 12 1 urb AAAA");
    Path damaged = tmp.resolve("damaged.session");
    Files.write(damaged, lines);
    err.reset();
    code = Main.execute(new CommandLine(new Main()), new PrintStream(out), new PrintStream(err), "usbip",
        "--replay", damaged.toString());
    assertEquals(ExitCodes.BAD_INPUT, code);
    assertTrue(err.toString().contains(damaged + ":4: urb"), err.toString());
  }
}
