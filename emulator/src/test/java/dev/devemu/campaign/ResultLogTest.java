package dev.devemu.campaign;

import static dev.devemu.kernel.Variant.RAW;
import static dev.devemu.kernel.Variant.SAFE;
import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Variant;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultLogTest {
  @TempDir
  Path dir;

  static RunRecord record(long seed, Variant variant, long exposure, String... signatures) {
    List<RunRecord.OopsRecord> oopses = new java.util.ArrayList<>();
    for (String s : signatures) {
      oopses.add(new RunRecord.OopsRecord("kasan", "BUG: " + s, s, "my_pcie", variant.toString(), "0000:00:02.0", 5));
    }
    return new RunRecord(seed, variant, signatures.length > 0 ? "panic" : "completed", exposure,
        Map.of("my_pcie/" + variant, exposure), oopses, 0, 1, 2, null);
  }

  @Test
  void recordsSurviveARoundTripAndAKeyIsWrittenOnce() throws Exception {
    try (ResultLog log = ResultLog.open(dir)) {
      assertTrue(log.append(record(1, RAW, 100, "kasan:x")));
      assertTrue(log.append(record(1, SAFE, 200)));
      assertFalse(log.append(record(1, RAW, 999)), "a key already there is not counted again");
    }
    try (ResultLog log = ResultLog.open(dir)) {
      assertEquals(2, log.records().size());
      assertEquals(record(1, RAW, 100, "kasan:x"), log.records().get(new RunKey(1, RAW)));
      assertEquals(0, log.droppedLines());
    }
    assertEquals(2, Files.readAllLines(dir.resolve(ResultLog.FILE)).size());
  }

  @Test
  void aLineCutByAKillIsDroppedAndTheFileRepaired() throws Exception {
    try (ResultLog log = ResultLog.open(dir)) {
      log.append(record(1, RAW, 100));
      log.append(record(2, RAW, 100));
    }
    Path file = dir.resolve(ResultLog.FILE);
    String whole = Files.readString(file);
    Files.writeString(file, whole + "{\"seed\":3,\"variant\":\"raw\",\"outc", StandardCharsets.UTF_8);
    try (ResultLog log = ResultLog.open(dir)) {
      assertEquals(1, log.droppedLines());
      assertEquals(2, log.records().size());
      assertEquals(whole, Files.readString(file), "the cut line is gone from the file too");
      log.append(record(3, RAW, 100));
    }
    List<String> lines = Files.readAllLines(file);
    assertEquals(3, lines.size());
    assertTrue(lines.get(2).startsWith("{\"seed\":3,"), lines.get(2));
  }

  @Test
  void aDamagedLineInTheMiddleIsAnError() throws Exception {
    try (ResultLog log = ResultLog.open(dir)) {
      log.append(record(1, RAW, 100));
      log.append(record(2, RAW, 100));
    }
    Path file = dir.resolve(ResultLog.FILE);
    List<String> lines = Files.readAllLines(file);
    Files.writeString(file, "not json\n" + String.join("\n", lines) + "\n");
    CampaignException e = assertThrows(CampaignException.class, () -> ResultLog.open(dir));
    assertTrue(e.getMessage().contains(ResultLog.FILE + ":1: not a run record"), e.getMessage());
  }

  @Test
  void aVariantThisBuildDoesNotKnowIsAnErrorNamingLineAndField() throws Exception {
    try (ResultLog log = ResultLog.open(dir)) {
      log.append(record(1, RAW, 100));
      log.append(record(2, RAW, 100));
    }
    Path file = dir.resolve(ResultLog.FILE);
    List<String> lines = Files.readAllLines(file);
    Files.writeString(file, lines.get(0) + "\n" + lines.get(1).replace("\"variant\":\"raw\"", "\"variant\":\"unsafe\"")
        + "\n" + lines.get(0).replace("\"seed\":1", "\"seed\":3") + "\n");
    CampaignException e = assertThrows(CampaignException.class, () -> ResultLog.open(dir));
    assertTrue(e.getMessage().contains(ResultLog.FILE + ":2: not a run record (field variant: unknown variant "
        + "\"unsafe\" (use raw or safe))"), e.getMessage());
  }
}
