package dev.devemu.plugin.process;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.fs.File;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.VirtualClock;
import dev.devemu.userspace.workload.ProcessWorkload;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code kind = process} and {@code type = chardev}: what parses, and every rejection with file, line and key. */
class ProcessWorkloadKindTest {
  /** The workload object starts on line 6; each key sits on its own line from there. */
  static final String GOOD = """
      scenario { name = "t", duration = 10ms }
      devices = [ { type = chardev, name = my_char } ]
      drivers = [ { name = my_char, variant = raw } ]
      faults { events = [ { at = 5ms, action = unplug, slot = my_char } ] }
      workload = [
        { kind = process
          device = "/dev/my_char"
          processes = 3
          comm = "tester"
          think-time = 250us
          mix { read = 2, ioctl = 1, reopen = 0.5 }
          ioctls = [ GET_VERSION, SET_CONFIG, SET_CONFIG, "0x800845d0" ]
          read-size-max = 32
          bad-pointer = 0.1
          unknown-ioctl = 0.05
          untouched-buffer = 0.2
          open-flags = rdonly
        }
      ]
      """;

  static ScenarioException fails(String text) {
    return assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("w.conf", text));
  }

  @Test
  void aFullWorkloadParses() {
    Scenario s = ScenarioLoader.parse("w.conf", GOOD);
    ProcessWorkload w = ((ProcessWorkloadSpec) s.workload().get(0)).workload();
    assertEquals("/dev/my_char", w.device());
    assertEquals(3, w.processes());
    assertEquals(250 * VirtualClock.MICROSECOND, w.thinkTimeNanos());
    assertEquals(List.of(0x800445d0, 0x401045d1, 0x401045d1, 0x800845d0), w.ioctls());
    assertEquals(2.0, w.readWeight());
    assertEquals(0.0, w.writeWeight(), "a key the mix leaves out is never done");
    assertEquals(File.O_RDONLY, w.openFlags());
    assertEquals(1, w.readSizeMin());
    assertEquals(32, w.readSizeMax());
    assertEquals(0.2, w.untouchedBuffer());
    assertEquals("my_char", s.devices().get(0).slot());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "think-time = 250us            | thinktime = 250us                 | 10 | workload[0].thinktime: unknown key",
      "mix { read = 2, ioctl = 1, reopen = 0.5 } | mix { red = 2, ioctl = 1 } | 11 | workload[0].mix.red: unknown key",
      "mix { read = 2, ioctl = 1, reopen = 0.5 } | mix { read = 0 }   | 11 | workload[0].mix: needs at least one weight above 0",
      "ioctls = [ GET_VERSION, SET_CONFIG, SET_CONFIG, \"0x800845d0\" ] | ioctls = [ GET_VERSON ] | 12 | workload[0].ioctls: unknown ioctl \"GET_VERSON\" (known: GET_VERSION, SET_CONFIG)",
      "ioctls = [ GET_VERSION, SET_CONFIG, SET_CONFIG, \"0x800845d0\" ] | ioctls = [ ] | 12 | workload[0].ioctls: missing: the mix issues ioctls",
      "ioctls = [ GET_VERSION, SET_CONFIG, SET_CONFIG, \"0x800845d0\" ] | calls = 10 | 6 | workload[0].ioctls: missing: the mix issues ioctls, so list the commands (known: GET_VERSION, SET_CONFIG)",
      "device = \"/dev/my_char\"     | device = \"my_char\"              | 7  | workload[0].device: must be a device node such as /dev/my_char",
      "processes = 3                 | processes = 0                     | 8  | workload[0].processes: must be between 1 and 256, got 0",
      "comm = \"tester\"             | comm = \"a_very_long_process\"    | 9  | workload[0].comm: must be 1 to 15 characters",
      "think-time = 250us            | think-time = -1ms                 | 10 | workload[0].think-time: must be at least 0 ns",
      "read-size-max = 32            | read-size-min = 40, read-size-max = 32 | 13 | workload[0].read-size-min: is above read-size-max (32)",
      "bad-pointer = 0.1             | bad-pointer = 1.5                 | 14 | workload[0].bad-pointer: must be between 0.0 and 1.0, got 1.5",
      "unknown-ioctl = 0.05          | unknown-ioctl = often             | 15 | workload[0].unknown-ioctl: expected a number",
      "open-flags = rdonly           | open-flags = append               | 17 | workload[0].open-flags: must be one of rdwr, rdonly, wronly",
      "kind = process                | kind = proces                     | 6  | workload[0].kind: unknown workload kind \"proces\" (known: process, v4l2-capture)",
      "action = unplug               | action = link-down                | 4  | faults.events[0].action: a chardev device cannot link-down (slot my_char)",
      "name = my_char }              | name = \"my char\" }              | 2  | devices[0].name: must be a device name such as my_char",
  })
  void everyMistakeNamesFileLineAndKey(String from, String to, int line, String message) {
    assertTrue(GOOD.contains(from.strip()), "the test's own text: " + from);
    ScenarioException e = fails(GOOD.replace(from.strip(), to.strip()));
    assertEquals(line, e.line(), e.getMessage());
    assertTrue(e.getMessage().startsWith("w.conf:" + line + ": " + message), e.getMessage());
  }
}
