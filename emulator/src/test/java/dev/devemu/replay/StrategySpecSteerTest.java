package dev.devemu.replay;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code +steer} suffix of a strategy spec: parsed with and without F, beside {@code +swarm}, and printed back. */
class StrategySpecSteerTest {
  @Test
  void theSpecParsesSteerInAnyOrderWithSwarmAndRoundTrips() {
    StrategySpec r = StrategySpec.parse("random+steer");
    assertTrue(r.steer());
    assertTrue(r.resolved());
    assertTrue(r.create().steersFaults());
    assertEquals("random+steer", r.toString());
    StrategySpec p = StrategySpec.parse("pct:2+steer");
    assertFalse(p.resolved(), "k and F are measured");
    assertFalse(p.withK(100).resolved(), "F is measured too");
    StrategySpec full = p.withK(100).withF(7);
    assertEquals("pct:2:100+steer:7", full.toString());
    assertEquals(full, StrategySpec.parse(full.toString()));
    assertEquals("pct:2:100+steer:7", full.create().name());
    StrategySpec both = StrategySpec.parse("pct:3:50+steer:4+swarm");
    assertTrue(both.swarm() && both.steer());
    assertEquals("pct:3:50+swarm+steer:4", both.toString());
    assertEquals(both, StrategySpec.parse(both.toString()));
    assertFalse(StrategySpec.parse("pct:3:50").steer());
    assertEquals("pct:3:50", StrategySpec.parse("pct:3:50").toString());
    for (String bad : List.of("random+steer+steer", "random+steer:5", "pct+steer:0", "pct+steer:x", "random+fast", "+steer")) {
      assertThrows(IllegalArgumentException.class, () -> StrategySpec.parse(bad), bad);
    }
    List<String> messages = new ArrayList<>();
    try {
      StrategySpec.parse("random+fast");
    } catch (IllegalArgumentException e) {
      messages.add(e.getMessage());
    }
    assertTrue(messages.get(0).contains("+swarm or +steer"), messages.toString());
  }
}
