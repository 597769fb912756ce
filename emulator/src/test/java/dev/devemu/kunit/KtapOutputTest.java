package dev.devemu.kunit;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Variant;
import dev.devemu.sim.SimHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * KTAP as the kernel prints it: a small suite of this test's own (a pass, an expectation failure, an assertion that
 * ends its case with exit still run, a skip, a parameterised case and a detector report) checked line by line
 * against the format, and read by the kernel's own parser (tools/testing/kunit/kunit.py parse) when it is there.
 */
class KtapOutputTest {
  static KunitSuite suite() {
    return KunitSuite.named("ktap_example").driver("my_pcie")
        .exit(t -> t.info("exit ran"))
        .test("passes", t -> t.expectEq("1 + 1", 1 + 1, "2", 2))
        .test("fails_an_expectation", t -> {
          long rc = 0;
          t.expectErrno("rc", rc, "ENODEV");
          t.expectTrue("still_running", true);
        })
        .test("fails_an_assertion", t -> {
          t.assertTrue("false_thing", false);
          t.fail("not reached");
        })
        .test("is_skipped", t -> t.skip("no such hardware"))
        .param("param_case", List.of("one", "two"), t -> t.expectStreq("param", t.param(), "\"one\"", "one"))
        .test("a_detector_report_fails", t -> t.testbed().device(Mock.pci().revision(1)).run())
        .build();
  }

  static String ktap() {
    try (SimHost host = SimHost.start("KtapOutputTest", 1)) {
      KunitResults r = KunitRunner.run(host, List.of(suite()), KunitRunner.Options.of(Variant.RAW));
      return KtapPrinter.toText(r);
    }
  }

  @Test
  void linesAreWhatLibKunitPrints() {
    String text = ktap();
    List<String> lines = text.lines().toList();
    assertEquals("KTAP version 1", lines.get(0));
    assertEquals("1..1", lines.get(1));
    assertEquals("    KTAP version 1", lines.get(2));
    assertEquals("    # Subtest: ktap_example", lines.get(3));
    assertEquals("    1..6", lines.get(4));
    assertTrue(lines.contains("    ok 1 passes"), text);
    assertTrue(lines.contains("    not ok 2 fails_an_expectation"), text);
    int failed = lines.indexOf("    Expected rc == -ENODEV, but");
    assertTrue(failed > 0, text);
    assertTrue(lines.get(failed - 1).matches("    # fails_an_expectation: EXPECTATION FAILED at KtapOutputTest\\.java:\\d+"),
        lines.get(failed - 1));
    assertEquals("        rc == 0 (0x0)", lines.get(failed + 1));
    assertEquals("        -ENODEV == -19 (0xffffffffffffffed)", lines.get(failed + 2));
    assertTrue(lines.stream().anyMatch(l -> l.matches("    # fails_an_assertion: ASSERTION FAILED at .*")), text);
    assertFalse(text.contains("not reached"), "an assertion ends the case");
    assertTrue(lines.contains("    # fails_an_assertion: exit ran"), "exit runs after an assertion: " + text);
    assertTrue(lines.contains("    ok 4 is_skipped # SKIP no such hardware"), text);
    // a parameterised case: a nested subtest without a plan, as kunit_run_tests prints it
    int p = lines.indexOf("        # Subtest: param_case");
    assertEquals("        KTAP version 1", lines.get(p - 1));
    assertTrue(lines.contains("        ok 1 one"), text);
    assertTrue(lines.contains("        not ok 2 two"), text);
    assertTrue(lines.contains("    # param_case: pass:1 fail:1 skip:0 total:2"), text);
    assertTrue(lines.contains("    not ok 5 param_case"), text);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("    # a_detector_report_fails: detector report in testbed 0")
        && l.contains("resources leaked")), text);
    assertTrue(lines.contains("    not ok 6 a_detector_report_fails"), text);
    assertTrue(lines.contains("# ktap_example: pass:1 fail:4 skip:1 total:6"), text);
    assertTrue(lines.contains("# Totals: pass:2 fail:4 skip:1 total:7"), text);
    assertEquals("not ok 1 ktap_example", lines.get(lines.size() - 1));
    // every line is a KTAP line or a diagnostic: version, plan, result, '#', or the indented failure text
    Pattern ktapLine = Pattern.compile(
        "( {4})*(KTAP version 1|1\\.\\.\\d+|(not )?ok \\d+ [^#]+( # SKIP.*)?|#.*|Expected .*| {4}.* == .*)");
    for (String l : lines) assertTrue(ktapLine.matcher(l).matches(), "not KTAP: [" + l + "]");
  }

  /**
   * The kernel's parser. Found at $DEVEMU_KUNIT_PY or target/kunit-tool/tools/testing/kunit/kunit.py (put there by
   * .ci/kunit-tool.sh from Debian's linux-source); DEVEMU_REQUIRE_TOOLS=1 makes its absence a failure.
   */
  @Test
  void kunitPyParsesIt() throws Exception {
    String env = System.getenv("DEVEMU_KUNIT_PY");
    Path tool = env != null ? Path.of(env) : Path.of("target/kunit-tool/tools/testing/kunit/kunit.py");
    if (!Files.exists(tool)) {
      assertNotEquals("1", System.getenv("DEVEMU_REQUIRE_TOOLS"), "kunit.py not found at " + tool);
      Assumptions.abort("kunit.py not installed (run .ci/kunit-tool.sh)");
    }
    String text = ktap();
    Process p = new ProcessBuilder("python3", tool.toString(), "parse").redirectErrorStream(true).start();
    p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(1, p.exitValue(), "kunit.py exits 1 when a case failed:\n" + out);
    // its summary counts what we printed (no "crashed" or parse errors)
    Matcher m = Pattern.compile("Testing complete\\. Ran (\\d+) tests: passed: (\\d+), failed: (\\d+), skipped: (\\d+)")
        .matcher(out.replaceAll("\u001B\\[[0-9;]*m", ""));
    assertTrue(m.find(), out);
    assertEquals(List.of("7", "2", "4", "1"), List.of(m.group(1), m.group(2), m.group(3), m.group(4)), out);
    assertFalse(out.contains("[ERROR]") || out.contains("crashed"), out);

    // and a run with no failure exits 0
    KunitSuite good = KunitSuite.named("good").test("passes", t -> t.expectTrue("true", true)).build();
    String okText;
    try (SimHost host = SimHost.start("KtapOutputTest-ok", 1)) {
      okText = KtapPrinter.toText(KunitRunner.run(host, List.of(good), KunitRunner.Options.of(Variant.SAFE)));
    }
    Process q = new ProcessBuilder("python3", tool.toString(), "parse").redirectErrorStream(true).start();
    q.getOutputStream().write(okText.getBytes(StandardCharsets.UTF_8));
    q.getOutputStream().close();
    String okOut = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(q.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, q.exitValue(), okOut);
  }
}
