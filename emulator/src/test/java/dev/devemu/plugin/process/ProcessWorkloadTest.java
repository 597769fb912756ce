package dev.devemu.plugin.process;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Sim;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The process workload against the safe my_char: it reaches every path the scenario asks for. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessWorkloadTest {
  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("ProcessWorkloadTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  static String scenario(String device, String faults, String workload) {
    return """
        scenario { name = "t", duration = 10ms }
        machine { cpus = 3 }
        devices = [ { type = chardev, name = my_char, %s } ]
        drivers = [ { name = my_char, variant = safe } ]
        faults { %s }
        workload = [ { kind = process, device = "/dev/my_char", %s } ]
        """.formatted(device, faults, workload);
  }

  static List<String> lines(RunResult r, String text) {
    return r.kernelLog().stream().filter(l -> l.contains(text)).toList();
  }

  /** Seconds from a kernel log line {@code [    0.002000] …}. */
  static double time(String line) {
    return Double.parseDouble(line.substring(1, line.indexOf(']')).strip());
  }

  @Test
  void badPointersUnknownCommandsAndALateNodeAreErrorsNotReports() {
    // A SET_CONFIG from a bad pointer also leaves my_char's later SET_CONFIGs waiting forever (the bug both variants
    // share, see MyCharTest): one process of its own issues them, so that the others go on.
    RunResult r = sim.run(Sim.scenario(scenario("present = false",
        "events = [ { at = 2ms, action = plug, slot = my_char } ]",
        """
        processes = 3, think-time = 100us, mix { read = 1, write = 1, ioctl = 2, reopen = 0.3 },
        ioctls = [ GET_VERSION ], bad-pointer = 0.2, unknown-ioctl = 0.2, untouched-buffer = 0.3 },
        { kind = process, device = "/dev/my_char", comm = setter, think-time = 100us, mix { ioctl = 1 },
        ioctls = [ SET_CONFIG ], bad-pointer = 0.5
        """)), 5).result();
    assertTrue(r.oopses().isEmpty(), () -> r.oopses().toString());
    List<String> opens = lines(r, "my_char: Opening char device");
    assertTrue(opens.size() > 3, "processes reopen: " + opens.size());
    assertTrue(time(opens.get(0)) >= 0.002, "no open succeeds before the node exists: " + opens.get(0));
    assertFalse(lines(r, "my_char: Unknown ioctl command").isEmpty(), "unknown commands were issued");
    assertFalse(lines(r, "my_char: Failed to copy config from user: -EFAULT").isEmpty(), "bad SET_CONFIG pointers");
    assertFalse(lines(r, "my_char: Failed to copy version to user: -EFAULT").isEmpty(), "bad GET_VERSION pointers");
    assertFalse(lines(r, "my_char: Failed to read config to user: -EFAULT").isEmpty(), "bad read pointers");
  }

  @Test
  void callsBoundWhatEachProcessDoes() {
    // open, close, open, close, open, close: six calls, then exit.
    RunResult r = sim.run(Sim.scenario(scenario("present = true", "",
        "processes = 4, calls = 6, think-time = 50us, mix { reopen = 1 }")), 1).result();
    assertTrue(r.oopses().isEmpty(), () -> r.oopses().toString());
    assertEquals(12, lines(r, "my_char: Opening char device").size());
  }
}
