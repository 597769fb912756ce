package dev.devemu.scenario;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import dev.devemu.sim.VirtualClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario text from the network (and saved sources) is data: no environment, no system properties, no include of
 * any kind, bounded size. Scenario files on disk include files beside them, with cycles caught. Durations need a
 * unit and have a maximum.
 */
class ScenarioDataTest {
  static final String GOOD = ScenarioLoaderTest.GOOD;

  static ScenarioException fails(String text) {
    return assertThrows(ScenarioException.class, () -> ScenarioLoader.parse("net.conf", text));
  }

  /** An environment variable that is set in every test JVM, with a value long enough not to occur by chance. */
  static String[] someEnv() {
    for (String name : new String[] {"PATH", "HOME", "JAVA_HOME", "USER"}) {
      String v = System.getenv(name);
      if (v != null && v.length() >= 4) return new String[] {name, v};
    }
    throw new IllegalStateException("no environment variable to try");
  }

  @Test
  void environmentVariablesAreNeverSubstituted() {
    String[] env = someEnv();
    ScenarioException e = fails(GOOD.replace("cpus = 3", "cpus = ${" + env[0] + "}"));
    assertFalse(e.getMessage().contains(env[1]), e.getMessage());
    assertTrue(e.getMessage().contains("${" + env[0] + "}"), e.getMessage());
    assertTrue(e.getMessage().contains("environment"), e.getMessage());
    assertEquals(5, e.line(), e.getMessage());

    // In a string that would otherwise be echoed back (the name is printed in summaries and errors).
    ScenarioException inName = fails(GOOD.replace("name = \"t\"", "name = ${" + env[0] + "}"));
    assertFalse(inName.getMessage().contains(env[1]), inName.getMessage());

    // Optional substitution: the environment is not there to fill it, so the default stays.
    Scenario s = ScenarioLoader.parse("net.conf", GOOD.replace("name = \"t\"",
        "name = \"t\"\n  description = ${?" + env[0] + "}"));
    assertEquals("", s.description());
    assertFalse(s.description().contains(env[1]));
  }

  @Test
  void systemPropertiesAreNeverSubstituted() {
    String home = System.getProperty("java.home");
    ScenarioException e = fails(GOOD.replace("name = \"t\"", "name = ${java.home}"));
    assertFalse(e.getMessage().contains(home), e.getMessage());
  }

  @Test
  void substitutionsWithinTheScenarioStillWork() {
    Scenario s = ScenarioLoader.parse("net.conf", GOOD.replace("name = \"t\"", "name = \"t\"\n  description = ${scenario.name}"));
    assertEquals("t", s.description());
  }

  @Test
  void includeOfAFileIsRefusedAndItsContentNeverRead(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("secret.conf");
    Files.writeString(secret, "machine { cpus = 7 }\nstolen = \"s3cr3t-value\"\n");
    for (String form : new String[] {"include file(\"" + secret + "\")", "include required(file(\"" + secret + "\"))",
        "include \"" + secret + "\""}) {
      ScenarioException e = fails(GOOD + "\n" + form + "\n");
      assertEquals(GOOD.split("\n").length + 2, e.line(), form + " -> " + e.getMessage());
      assertEquals("include", e.key(), e.getMessage());
      assertTrue(e.getMessage().contains("include is not allowed"), e.getMessage());
      assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }
    // Inside an object: the key names the object.
    ScenarioException nested = fails(GOOD.replace("machine { cpus = 3 }",
        "machine {\n  include file(\"" + secret + "\")\n}"));
    assertEquals("machine.include", nested.key(), nested.getMessage());
    assertEquals(6, nested.line(), nested.getMessage());
  }

  @Test
  void includeOfAClassPathResourceIsRefused() {
    for (String form : new String[] {"include classpath(\"reference.conf\")", "include \"reference.conf\"",
        "include required(classpath(\"devemu-cluster.conf\"))"}) {
      ScenarioException e = fails(form + "\n" + GOOD);
      assertEquals(1, e.line(), e.getMessage());
      assertTrue(e.getMessage().contains("include is not allowed"), e.getMessage());
    }
  }

  @Test
  void includeOfAUrlIsRefusedWithoutContactingIt() throws Exception {
    AtomicInteger contacts = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", x -> {
      contacts.incrementAndGet();
      byte[] body = "machine { cpus = 9 }".getBytes();
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/evil.conf";
      for (String form : new String[] {"include url(\"" + url + "\")", "include required(url(\"" + url + "\"))",
          "include \"" + url + "\""}) {
        ScenarioException e = fails(GOOD + "\n" + form + "\n");
        assertTrue(e.getMessage().contains("include is not allowed"), e.getMessage());
      }
      // The same forms in a file on disk are refused too (a scenario never fetches anything).
      Path dir = Files.createTempDirectory("devemu-url");
      Path file = dir.resolve("a.conf");
      Files.writeString(file, GOOD + "\ninclude url(\"" + url + "\")\n");
      ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioLoader.load(file));
      assertTrue(e.getMessage().contains("url(...) is not allowed"), e.getMessage());
      assertEquals(GOOD.split("\n").length + 2, e.line(), e.getMessage());
    } finally {
      server.stop(0);
    }
    assertEquals(0, contacts.get(), "the loopback server was contacted");
  }

  @Test
  void theWordIncludeInAStringOrCommentIsNotAnInclude() {
    Scenario s = ScenarioLoader.parse("net.conf", GOOD.replace("name = \"t\"",
        "name = \"t\"\n  # include file(\"/etc/passwd\")\n  description = \"include file(x)\""));
    assertEquals("include file(x)", s.description());
  }

  @Test
  void oversizedTextIsRefused() {
    String big = GOOD + "\n# " + "x".repeat(ScenarioLoader.MAX_TEXT_BYTES) + "\n";
    ScenarioException e = fails(big);
    assertTrue(e.getMessage().contains("at most " + ScenarioLoader.MAX_TEXT_BYTES + " bytes"), e.getMessage());
  }

  // ---- files on disk ----

  @Test
  void includesInAFileAreRelativeToIt(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("parts"));
    Files.writeString(dir.resolve("parts/machine.conf"), "machine { cpus = 5 }\ninclude \"kernel.conf\"\n");
    Files.writeString(dir.resolve("parts/kernel.conf"), "kernel { hung-task-timeout = 30s }\n");
    Path main = dir.resolve("main.conf");
    Files.writeString(main, GOOD.replace("machine { cpus = 3 }", "include \"parts/machine.conf\""));
    Scenario s = ScenarioLoader.load(main);
    assertEquals(5, s.machine().cpus());
    assertEquals(30 * VirtualClock.SECOND, s.kernel().hungTaskTimeoutNanos());
    // The source is self-contained: a node or a replay reads it as data and gets the same scenario.
    Scenario again = ScenarioLoader.parse(s.file(), s.source());
    assertEquals(s.machine(), again.machine());
    assertEquals(s.kernel(), again.kernel());
    assertEquals(s.durationNanos(), again.durationNanos());
    assertEquals(s.devices().get(0).slot(), again.devices().get(0).slot());
  }

  @Test
  void anErrorInAnIncludedFileNamesThatFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("machine.conf"), "# shared\nmachine { cpus = 500 }\n");
    Path main = dir.resolve("main.conf");
    Files.writeString(main, GOOD.replace("machine { cpus = 3 }", "include \"machine.conf\""));
    ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioLoader.load(main));
    assertEquals(dir.resolve("machine.conf").toString(), e.file(), e.getMessage());
    assertEquals(2, e.line(), e.getMessage());
    assertEquals("machine.cpus", e.key());
  }

  @Test
  void anIncludeCycleNamesBothFiles(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a.conf");
    Path b = dir.resolve("b.conf");
    Files.writeString(a, GOOD + "\ninclude \"b.conf\"\n");
    Files.writeString(b, "# b\ninclude \"a.conf\"\n");
    ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioLoader.load(a));
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    assertTrue(e.getMessage().contains(b.toString()) && e.getMessage().contains(a.toString()), e.getMessage());
    assertEquals(b.toString(), e.file());
    assertEquals(2, e.line());

    Files.writeString(a, GOOD + "\ninclude \"a.conf\"\n");
    ScenarioException self = assertThrows(ScenarioException.class, () -> ScenarioLoader.load(a));
    assertTrue(self.getMessage().contains("the same file"), self.getMessage());
  }

  @Test
  void aMissingIncludeIsAnErrorNotSilence(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a.conf");
    Files.writeString(a, "include \"nowhere.conf\"\n" + GOOD);
    ScenarioException e = assertThrows(ScenarioException.class, () -> ScenarioLoader.load(a));
    assertEquals(1, e.line(), e.getMessage());
    assertTrue(e.getMessage().contains("no such file " + dir.resolve("nowhere.conf")), e.getMessage());
  }

  // ---- durations ----

  @Test
  void aDurationAboveTheMaximumIsRefusedWithTheMaximum() {
    ScenarioException e = fails(GOOD.replace("duration = 2s", "duration = 1000000h"));
    assertEquals("scenario.duration", e.key());
    assertEquals(3, e.line());
    assertTrue(e.getMessage().contains("must be at most 24h"), e.getMessage());
    assertTrue(fails(GOOD.replace("at = 1s", "at = 25h")).getMessage().contains("at most 24h"));
    assertEquals(24 * 3600 * VirtualClock.SECOND, ScenarioLoader.parse("ok.conf", GOOD.replace("duration = 2s",
        "duration = 24h").replace("at = 1s", "at = 1h")).durationNanos());
  }

  @Test
  void aNumberWithoutAUnitIsRefused() {
    ScenarioException e = fails(GOOD.replace("duration = 2s", "duration = 1000"));
    assertEquals("scenario.duration", e.key());
    assertEquals(3, e.line());
    assertTrue(e.getMessage().contains("add a unit: ns, us, ms, s"), e.getMessage());
    assertTrue(fails(GOOD.replace("cpus = 3", "cpus = 3, lookahead = \"20\"")).getMessage().contains("add a unit"));
    assertTrue(fails(GOOD.replace("duration = 2s", "duration = 2 parsecs")).getMessage().contains("expected a duration"));
  }

  @Test
  void everyShippedScenarioLoadsAndItsSourceReadsBackAsData() throws Exception {
    Path dir = Path.of("..", "scenarios");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".conf")).sorted().toList()) {
        Scenario s = ScenarioLoader.load(f);
        assertEquals(Files.readString(f), s.source(), f + ": a file without includes keeps its text");
        assertEquals(s.durationNanos(), ScenarioLoader.parse(f.toString(), s.source()).durationNanos());
      }
    }
  }
}
