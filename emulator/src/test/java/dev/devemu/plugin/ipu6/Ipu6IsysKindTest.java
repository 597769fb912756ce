package dev.devemu.plugin.ipu6;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioException;
import dev.devemu.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The camera's scenario keys (device, workload, fault points): read strictly, errors name file:line and key. */
class Ipu6IsysKindTest {
  static final String GOOD = """
      scenario { name = "cam", duration = 1s }
      devices = [
        { type = ipu6-isys, slot = "0000:00:05.0", fps = 60, width = 1936, height = 1096, embedded-lines = 2 }
      ]
      drivers = [ { name = ipu6_isys, variant = raw } ]
      workload = [ { kind = v4l2-capture, buffers = 6, frames = 10, nonblocking = on, frame-work = 2ms } ]
      faults { probability { ipu6_irq_lost = 0.01, ipu6_fifo_overflow = 0.001, ipu6_stop_lost = 0.1 } }
      """;

  static ScenarioException fails(String text) {
    return assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("cam.conf", text));
  }

  @Test
  void aCameraScenarioParses() {
    Scenario s = ScenarioLoader.parse("cam.conf", GOOD);
    assertEquals("ipu6-isys", s.devices().get(0).type());
    assertEquals("ipu6_isys", s.drivers().get(0).name());
    assertEquals("v4l2-capture", s.workload().get(0).kind());
    assertEquals(0.1, s.faults().probabilities().get("ipu6_stop_lost"));
  }

  @Test
  void badValuesNameTheirKey() {
    ScenarioException align = fails(GOOD.replace("embedded-lines = 2", "line-align = 48"));
    assertEquals("devices[0].line-align", align.key(), align.getMessage());
    assertTrue(align.getMessage().startsWith("cam.conf:3: devices[0].line-align: must be a power of two"),
        align.getMessage());
    ScenarioException fps = fails(GOOD.replace("fps = 60", "fps = -1"));
    assertEquals("devices[0].fps", fps.key());
    ScenarioException typo = fails(GOOD.replace("frames = 10", "frame = 10"));
    assertEquals("workload[0].frame", typo.key());
    ScenarioException buffers = fails(GOOD.replace("buffers = 6", "buffers = 0"));
    assertEquals("workload[0].buffers", buffers.key());
    ScenarioException node = fails(GOOD.replace("nonblocking = on", "device = video0"));
    assertEquals("workload[0].device", node.key());
    ScenarioException point = fails(GOOD.replace("ipu6_stop_lost", "ipu6_stop_lots"));
    assertTrue(point.getMessage().contains("unknown fault point"), point.getMessage());
  }

  @Test
  void everyShippedCameraScenarioParses() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("../scenarios"))) {
      long n = files.filter(p -> p.getFileName().toString().matches("(camera|ipu6).*\\.conf"))
          .peek(p -> assertNotNull(ScenarioLoader.load(p))).count();
      assertTrue(n >= 3, "camera-basic, ipu6-isys-race, ipu6-isys-unplug");
    }
  }
}
