package dev.devemu.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bug-hunting commands as users meet them: timelines, JSON reports, PCT, shrink, bad files. */
class ToolsCliTest {
  static final Path RACE = Path.of("../scenarios/my_pcie-race.conf");

  @TempDir
  Path tmp;

  static CliTest.Result devemu(String... args) {
    return CliTest.devemu(args);
  }

  /** The first seed in 1..20 whose random-walk run of the race scenario finds the bug. */
  long raceSeed() {
    for (long seed = 1; seed <= 20; seed++) {
      if (devemu("run", RACE.toString(), "--seed", String.valueOf(seed)).code() == ExitCodes.BUG_FOUND) return seed;
    }
    throw new AssertionError("no seed in 1..20 found the race");
  }

  @Test
  void theTimelineHasATrackPerCpuAndDeviceAndFlowsForInterrupts() throws Exception {
    Path json = tmp.resolve("run.json");
    CliTest.Result r = devemu("run", RACE.toString(), "--seed", String.valueOf(raceSeed()), "--trace-json", json.toString());
    assertEquals(ExitCodes.BUG_FOUND, r.code(), r.err());
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    JsonNode events = root.get("traceEvents");
    assertTrue(events.isArray() && events.size() > 1000, "events: " + events.size());

    Map<String, String> threadNames = new HashMap<>(); // "pid/tid" -> name
    Map<String, List<double[]>> slices = new HashMap<>(); // "pid/tid" -> [ts, ts + dur]
    Map<Long, JsonNode> starts = new HashMap<>();
    Map<Long, JsonNode> finishes = new HashMap<>();
    int oopses = 0;
    for (JsonNode e : events) {
      String ph = e.get("ph").asText();
      String track = e.path("pid").asInt() + "/" + e.path("tid").asInt();
      switch (ph) {
        case "M" -> {
          if (e.get("name").asText().equals("thread_name")) threadNames.put(track, e.get("args").get("name").asText());
        }
        case "X" -> slices.computeIfAbsent(track, k -> new ArrayList<>())
            .add(new double[] {e.get("ts").asDouble(), e.get("ts").asDouble() + e.get("dur").asDouble()});
        case "s" -> assertNull(starts.put(e.get("id").asLong(), e), "flow ids are unique");
        case "f" -> {
          assertEquals("e", e.get("bp").asText());
          finishes.put(e.get("id").asLong(), e);
        }
        case "i" -> {
          if (e.get("cat").asText().equals("oops")) oopses++;
        }
        default -> fail("unexpected phase " + ph);
      }
    }
    assertTrue(threadNames.containsValue("cpu0") && threadNames.containsValue("cpu1"), threadNames.toString());
    assertTrue(threadNames.containsValue("irqchip"), threadNames.toString());
    assertTrue(threadNames.values().stream().anyMatch(n -> n.startsWith("pci-0000_00_02.0")), threadNames.toString());
    assertTrue(oopses >= 1, "the oops is marked on the timeline");

    assertEquals(starts.keySet(), finishes.keySet(), "every flow starts and finishes");
    Set<String> interruptPath = new HashSet<>();
    for (Map.Entry<Long, JsonNode> s : starts.entrySet()) {
      JsonNode f = finishes.get(s.getKey());
      String from = s.getValue().get("pid").asInt() + "/" + s.getValue().get("tid").asInt();
      String to = f.get("pid").asInt() + "/" + f.get("tid").asInt();
      assertNotEquals(from, to, "flows join two tracks");
      assertTrue(inSlice(slices.get(from), s.getValue().get("ts").asDouble()), "flow start inside a slice");
      assertTrue(inSlice(slices.get(to), f.get("ts").asDouble()), "flow end inside a slice");
      String name = s.getValue().get("name").asText();
      if (name.startsWith("IrqRaised")) interruptPath.add(threadNames.get(from) + "->" + threadNames.get(to));
      if (name.startsWith("MsiWrite") || name.startsWith("Msi")) interruptPath.add(threadNames.get(from) + "->" + threadNames.get(to));
    }
    assertTrue(interruptPath.stream().anyMatch(p -> p.startsWith("irqchip->cpu")), interruptPath.toString());
    assertTrue(interruptPath.stream().anyMatch(p -> p.startsWith("pci-0000_00_02.0")), interruptPath.toString());
  }

  static boolean inSlice(List<double[]> slices, double ts) {
    if (slices == null) return false;
    for (double[] s : slices) {
      if (ts >= s[0] && ts <= s[1]) return true;
    }
    return false;
  }

  @Test
  void pctMeasuresItsKAndTheReplayCommandCarriesIt() {
    CliTest.Result r = devemu("run", RACE.toString(), "--seed", "4", "--strategy", "pct:2");
    Matcher m = Pattern.compile("strategy=(pct:2:(\\d+)) ").matcher(r.out());
    assertTrue(m.find(), r.out());
    assertTrue(Long.parseLong(m.group(2)) > 100, "k is the decisions of a whole run: " + m.group(2));
    CliTest.Result again = devemu("run", RACE.toString(), "--seed", "4", "--strategy", m.group(1));
    assertEquals(r.hash(), again.hash());
    assertEquals(r.code(), again.code());
    if (r.code() == ExitCodes.BUG_FOUND) assertTrue(r.out().contains("--strategy " + m.group(1) + "\n"), r.out());
  }

  @Test
  void shrinkKeepsTheBugAndTheShrunkTraceReplaysIt() throws Exception {
    Path trace = tmp.resolve("race.trace");
    CliTest.Result run = devemu("run", RACE.toString(), "--seed", String.valueOf(raceSeed()), "--trace", trace.toString());
    assertEquals(ExitCodes.BUG_FOUND, run.code());
    String signature = signature(run.out());
    Path shrunk = tmp.resolve("race.shrunk");
    CliTest.Result s = devemu("shrink", trace.toString(), "--out", shrunk.toString(), "--max-runs", "40");
    assertEquals(ExitCodes.BUG_FOUND, s.code(), s.out() + s.err());
    Matcher m = Pattern.compile("recorded choices (\\d+) -> (\\d+)").matcher(s.out());
    assertTrue(m.find(), s.out());
    assertTrue(Long.parseLong(m.group(2)) <= Long.parseLong(m.group(1)), s.out());
    assertTrue(s.out().contains("shrink: bug " + signature), s.out());

    CliTest.Result replayed = devemu("replay", shrunk.toString());
    assertEquals(ExitCodes.BUG_FOUND, replayed.code(), replayed.out() + replayed.err());
    assertEquals(signature, signature(replayed.out()));
    assertTrue(replayed.out().contains("replay: reproduced: same trace sha256"), replayed.out());
  }

  static String signature(String out) {
    Matcher m = Pattern.compile("signature: (\\S+)").matcher(out);
    assertTrue(m.find(), out);
    return m.group(1);
  }

  @Test
  void badReportsAndTracesExitTwoNamingTheFile() throws Exception {
    Path junk = tmp.resolve("junk.bin");
    Files.writeString(junk, "not a trace");
    CliTest.Result r = devemu("replay", junk.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code());
    assertTrue(r.err().contains(junk.toString()), r.err());

    Path notReport = tmp.resolve("other.json");
    Files.writeString(notReport, "{ \"schema\": \"something-else\" }");
    r = devemu("replay", notReport.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code());
    assertTrue(r.err().contains(notReport + ": schema:"), r.err());

    Path broken = tmp.resolve("broken.json");
    Files.writeString(broken, "{ \"schema\": \"devemu-report\", \"schema_version\": 1 }");
    r = devemu("replay", broken.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code());
    assertTrue(r.err().contains(broken + ": replay: missing"), r.err());

    Path missing = tmp.resolve("missing.json");
    r = devemu("replay", missing.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code());
    assertTrue(r.err().contains(missing.toString()), r.err());
    assertEquals(ExitCodes.BAD_INPUT, devemu("shrink", junk.toString()).code());
    assertEquals(ExitCodes.BAD_INPUT, devemu("explore", RACE.toString(), "--strategy", "pct:x").code());

    // a report whose variant is a word this build does not know: exit 2 naming the file and the field
    Path report = tmp.resolve("variant.json");
    devemu("run", RACE.toString(), "--seed", "1", "--variant", "raw", "--report", report.toString());
    ObjectMapper json = new ObjectMapper();
    JsonNode root = json.readTree(report.toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("replay")).put("variant_override", "unsafe");
    json.writeValue(report.toFile(), root);
    r = devemu("replay", report.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code());
    assertTrue(r.err().contains(report + ": replay.variant_override: unknown variant \"unsafe\""), r.err());
  }

  @Test
  void theReportFileFollowsItsDocumentedSchema() throws Exception {
    Path report = tmp.resolve("r.json");
    assertEquals(ExitCodes.BUG_FOUND,
        devemu("run", RACE.toString(), "--seed", String.valueOf(raceSeed()), "--report", report.toString()).code());
    ObjectMapper mapper = new ObjectMapper();
    JsonNode schema = mapper.readTree(Path.of("../docs/report-schema.json").toFile());
    assertConforms(schema, mapper.readTree(report.toFile()), "$");
  }

  /** A small check of the subset of JSON Schema the schema file uses: type, required, properties, items. */
  static void assertConforms(JsonNode schema, JsonNode value, String at) {
    JsonNode type = schema.get("type");
    if (type != null) {
      Set<String> types = new HashSet<>();
      if (type.isArray()) type.forEach(t -> types.add(t.asText()));
      else types.add(type.asText());
      assertTrue(types.contains(typeOf(value)), at + ": " + typeOf(value) + " is not " + types);
    }
    if (value.isObject() && schema.has("properties")) {
      for (JsonNode req : schema.path("required")) assertTrue(value.has(req.asText()), at + "." + req.asText() + " missing");
      Iterator<String> names = value.fieldNames();
      while (names.hasNext()) {
        String name = names.next();
        JsonNode sub = schema.get("properties").get(name);
        if (sub == null) {
          assertTrue(schema.path("additionalProperties").asBoolean(true) || schema.has("additionalProperties")
              && schema.get("additionalProperties").isObject(), at + "." + name + " is not in the schema");
          if (schema.path("additionalProperties").isObject()) {
            assertConforms(schema.get("additionalProperties"), value.get(name), at + "." + name);
          }
          continue;
        }
        assertConforms(sub, value.get(name), at + "." + name);
      }
    }
    if (value.isArray() && schema.has("items")) {
      int i = 0;
      for (JsonNode item : value) assertConforms(schema.get("items"), item, at + "[" + i++ + "]");
    }
  }

  static String typeOf(JsonNode v) {
    if (v.isNull()) return "null";
    if (v.isIntegralNumber()) return "integer";
    if (v.isNumber()) return "number";
    if (v.isTextual()) return "string";
    if (v.isBoolean()) return "boolean";
    if (v.isArray()) return "array";
    return "object";
  }
}
