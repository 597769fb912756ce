package dev.devemu.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The emulated configuration spaces judged by the stock pciutils, not by our own code: {@code devemu lspci} dumps
 * every PCI function of every shipped scenario, {@code lspci -F dump -vv} decodes it, and every capability the
 * bytes declare must come out decoded — no unknown capability, no broken chain, no malformed dump.
 */
class LspciFidelityTest {
  @TempDir
  Path tmp;

  static boolean lspciAvailable() {
    try {
      Process p = new ProcessBuilder("lspci", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  static String lspci(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("lspci"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "lspci " + args + " failed: " + out);
    return out;
  }

  /** Capabilities as the bytes declare them: (offset, id) by walking the list from 0x34. */
  static List<int[]> capabilities(byte[] config) {
    List<int[]> caps = new ArrayList<>();
    int at = config[0x34] & 0xfc;
    while (at != 0 && caps.size() < 48) {
      caps.add(new int[] {at, config[at] & 0xff});
      at = config[at + 1] & 0xfc;
    }
    return caps;
  }

  static byte[] parseBlock(List<String> hexLines) {
    byte[] b = new byte[256];
    for (String line : hexLines) {
      int base = Integer.parseInt(line.substring(0, 2), 16);
      String[] bytes = line.substring(4).trim().split(" ");
      for (int i = 0; i < bytes.length; i++) b[base + i] = (byte) Integer.parseInt(bytes[i], 16);
    }
    return b;
  }

  @Test
  void pciutilsDecodesEveryFunctionOfEveryShippedScenario() throws Exception {
    boolean required = "1".equals(System.getenv("DEVEMU_REQUIRE_TOOLS"));
    if (!lspciAvailable()) {
      assertFalse(required, "lspci is required (DEVEMU_REQUIRE_TOOLS=1) but not installed");
      assumeTrue(false, "pciutils not installed");
    }
    List<Path> scenarios;
    try (Stream<Path> s = Files.list(Path.of("../scenarios"))) {
      scenarios = s.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    }
    int functions = 0;
    for (Path scenario : scenarios) {
      Path dump = tmp.resolve(scenario.getFileName() + ".lspci");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = Main.execute(new CommandLine(new Main()), new PrintStream(new ByteArrayOutputStream()),
          new PrintStream(err), "lspci", scenario.toString(), "-o", dump.toString());
      assertEquals(ExitCodes.OK, code, scenario + ": " + err);

      // our own reading of the dump: which functions and capabilities it declares
      List<String> lines = Files.readAllLines(dump);
      List<String> addresses = new ArrayList<>();
      List<byte[]> configs = new ArrayList<>();
      List<String> block = new ArrayList<>();
      for (String line : lines) {
        if (line.matches("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7] .*")) {
          addresses.add(line.substring(5, 12));
          block = new ArrayList<>();
        } else if (line.matches("[0-9a-f]{2}: .*")) {
          block.add(line);
          if (block.size() == 16) configs.add(parseBlock(block));
        }
      }
      assertEquals(addresses.size(), configs.size(), scenario + ": every function has 256 bytes");
      if (addresses.isEmpty()) continue;

      String decoded = lspci("-F", dump.toString(), "-vv");
      String numeric = lspci("-F", dump.toString(), "-n");
      for (String bad : List.of("<?>", "<unknown>", "Unknown", "corrupted", "Malformed", "chain broken", "looped")) {
        assertFalse(decoded.contains(bad), scenario + ": lspci complains (" + bad + "):\n" + decoded);
      }
      String[] devices = decoded.split("\n(?=[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7] )");
      assertEquals(addresses.size(), devices.length, scenario + ": lspci lists every function:\n" + decoded);
      for (int i = 0; i < addresses.size(); i++) {
        String dev = devices[i];
        byte[] config = configs.get(i);
        assertTrue(dev.startsWith(addresses.get(i)), dev);
        String ids = String.format("%02x%02x:%02x%02x", config[1], config[0], config[3], config[2]);
        assertTrue(numeric.contains(addresses.get(i) + " ") && numeric.contains(ids), numeric);
        List<int[]> caps = capabilities(config);
        Matcher m = Pattern.compile("Capabilities: \\[([0-9a-f]{2})\\] (.*)").matcher(dev);
        List<String> seen = new ArrayList<>();
        while (m.find()) {
          assertFalse(m.group(2).startsWith("#"), "capability lspci cannot name: " + m.group());
          seen.add(m.group(1));
        }
        assertEquals(caps.stream().map(c -> String.format("%02x", c[0])).toList(), seen,
            scenario + " " + addresses.get(i) + ": every declared capability decoded, in order");
        for (int bar = 0; bar < 6; bar++) {
          int raw = (config[0x10 + 4 * bar] & 0xff) | (config[0x11 + 4 * bar] & 0xff) << 8
              | (config[0x12 + 4 * bar] & 0xff) << 16 | (config[0x13 + 4 * bar] & 0xff) << 24;
          if ((raw & ~0xf) != 0) {
            assertTrue(dev.contains("Region " + bar + ": Memory at " + Integer.toHexString(raw & ~0xf)),
                "BAR " + bar + " decoded: " + dev);
          }
        }
        functions++;
      }
    }
    assertTrue(functions > 0, "no scenario has a PCI function to check");
  }
}
