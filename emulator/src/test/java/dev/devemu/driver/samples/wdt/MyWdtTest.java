package dev.devemu.driver.samples.wdt;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Variant;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Sim;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** my_wdt on the sample watchdog (scenarios/wdt-basic.conf): it keeps the dog fed, and raw's remove frees too early. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MyWdtTest {
  static final Pattern STOPPED = Pattern.compile("my_wdt: stopped after (\\d+) keepalives, (\\d+) expiries");
  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("MyWdtTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  RunResult run(Variant variant, long seed) {
    return sim.run(ScenarioLoader.load(Path.of("../scenarios/wdt-basic.conf")).withVariant(variant), seed).result();
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void theHandlerFeedsTheWatchdogSoItNeverExpires(Variant variant) {
    RunResult r = run(variant, 1);
    assertTrue(r.oopses().isEmpty(), () -> r.oopses().toString());
    String line = r.kernelLog().stream().filter(l -> STOPPED.matcher(l).find()).findFirst()
        .orElseThrow(() -> new AssertionError("remove did not report: " + r.kernelLog()));
    Matcher m = STOPPED.matcher(line);
    assertTrue(m.find());
    // bound 0..30 ms, a pretimeout 2 ms after each keepalive: about 14 keepalives, and not one expiry
    assertTrue(Integer.parseInt(m.group(1)) >= 10, line);
    assertEquals("0", m.group(2), line);
    // bound until the unplug at 30 ms, and again from the plug at 35 ms to the end at 50 ms
    assertEquals(45_000_000L, r.exposureNanos().get("my_wdt/" + variant));
  }

  @Test
  void rawRemoveFreesTheStructBeforeFreeIrqAndAPretimeoutHandlerUsesIt() {
    // seed 12 is the first that `explore --variant raw` finds: a pretimeout lands while remove runs
    RunResult raw = run(Variant.RAW, 12);
    assertEquals(1, raw.oopses().size(), () -> raw.oopses().toString());
    assertEquals("kasan:slab-use-after-free:my_wdt_irq:write", raw.oopses().get(0).signature());
    RunResult safe = run(Variant.SAFE, 12);
    assertTrue(safe.oopses().isEmpty(), "devres frees the handler before the struct: " + safe.oopses());
  }
}
