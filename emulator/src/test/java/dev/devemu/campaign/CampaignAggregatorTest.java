package dev.devemu.campaign;

import static dev.devemu.kernel.Variant.RAW;
import static dev.devemu.kernel.Variant.SAFE;
import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Variant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CampaignAggregatorTest {
  static final long H = CampaignSpec.NANOS_PER_HOUR;
  static final CampaignSpec SPEC = CampaignSpec.ofRuns("scenarios/x.conf", "x", "abc", 3, List.of(RAW, SAFE));

  static RunRecord run(long seed, Variant variant, long hours, RunRecord.OopsRecord... oopses) {
    return new RunRecord(seed, variant, oopses.length > 0 ? "panic" : "completed", hours * H,
        Map.of("my_pcie/" + variant, hours * H), List.of(oopses), 0, 0, 0, null);
  }

  static RunRecord.OopsRecord oops(String signature, String detector, String driver, String variant) {
    return new RunRecord.OopsRecord(detector, "BUG: " + signature, signature, driver, variant, "0000:00:02.0", 7);
  }

  static List<RunRecord> records() {
    return List.of(
        run(1, RAW, 1, oops("kasan:a", "kasan", "my_pcie", "raw")),
        run(2, RAW, 2, oops("iommu:b", "iommu", "kernel", "-")),
        run(3, RAW, 3),
        run(1, SAFE, 3),
        run(2, SAFE, 3),
        run(3, SAFE, 3, oops("kasan:a", "kasan", "my_pcie", "safe")),
        run(4, RAW, 9, oops("kasan:c", "kasan", "my_pcie", "raw"))); // beyond --runs 3: not counted
  }

  @Test
  void countsRatesDetectorsAndSignatures() {
    CampaignAggregator agg = new CampaignAggregator(SPEC);
    for (RunRecord r : records()) assertTrue(agg.add(r));
    assertFalse(agg.add(run(1, RAW, 5)), "a key counts once");
    CampaignSummary s = agg.summary();

    assertTrue(s.selection().complete());
    assertEquals(6, s.runs());
    assertEquals(Map.of("completed", 3L, "panic", 3L), s.outcomes());

    CampaignSummary.Group raw = s.variants().get(0);
    assertEquals(RAW, raw.variant());
    assertEquals(6 * H, raw.exposureNanos());
    assertEquals(2, raw.oopses(), "the kernel's oops counts in the variant's total");
    assertEquals(Map.of("iommu", 1L, "kasan", 1L), raw.byDetector());
    assertEquals(PoissonStats.rate(2, 6, 1000, 0.95), raw.ratePer1000h());

    CampaignSummary.Group pcieRaw = s.drivers().get(0);
    assertEquals("my_pcie", pcieRaw.driver());
    assertEquals(RAW, pcieRaw.variant());
    assertEquals(1, pcieRaw.oopses(), "but not in the driver's");
    CampaignSummary.Group pcieSafe = s.drivers().get(1);
    assertEquals(9 * H, pcieSafe.exposureNanos());
    assertEquals(1, pcieSafe.oopses());

    CampaignSummary.Comparison all = s.comparisons().get(s.comparisons().size() - 1);
    assertEquals("*", all.driver());
    assertEquals(PoissonStats.reduction(1, 9 * H, 2, 6 * H, 0.95), all.reduction());
    CampaignSummary.Comparison pcie = s.comparisons().get(0);
    assertEquals(PoissonStats.reduction(1, 9 * H, 1, 6 * H, 0.95), pcie.reduction());

    assertEquals(2, s.signatures().size(), "kasan:c is beyond the selected seeds");
    CampaignSummary.Signature a = s.signatures().get(0);
    assertEquals("kasan:a", a.signature());
    assertEquals(2, a.count());
    assertEquals(Map.of(RAW, 1L, SAFE, 1L), a.byVariant());
    assertEquals(1, a.exampleSeed());
    assertEquals(RAW, a.exampleVariant());
    assertEquals("./devemu run scenarios/x.conf --seed 1 --variant raw", a.replay());
    assertEquals("kernel", s.signatures().get(1).driver());

    CampaignSummary.Series rawLine = s.timeline().get(0);
    double[] last = rawLine.points().get(rawLine.points().size() - 1);
    assertArrayEquals(new double[] {6, 2}, last);
  }

  @Test
  void theSummaryDoesNotDependOnTheOrderResultsArrive() {
    CampaignAggregator inOrder = new CampaignAggregator(SPEC);
    records().forEach(inOrder::add);
    List<RunRecord> shuffled = new ArrayList<>(records());
    Collections.shuffle(shuffled, new java.util.Random(7));
    CampaignAggregator shuffledAgg = new CampaignAggregator(SPEC);
    shuffled.forEach(shuffledAgg::add);
    String text = CampaignSummary.render(inOrder.summary().toJson());
    assertEquals(text, CampaignSummary.render(shuffledAgg.summary().toJson()));
    assertTrue(text.startsWith("{\n  \"schema\": \"" + CampaignSummary.SCHEMA + "\""), text);
    assertFalse(text.contains("E+") || text.contains("E-"), "plain numbers");
    String html = ReportHtml.render(inOrder.summary());
    assertTrue(html.contains("<svg") && html.contains("kasan:a"));
    assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"),
        "self-contained: no external resource");
    assertFalse(html.contains("https://") || html.contains("<script"), "no external resource, no script");
  }
}
