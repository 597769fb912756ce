package dev.devemu.sim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PCT as Coyote and Shuttle implement it: decisions counted, the previous runner demoted at a change point. */
class PctStrategyTest {
  /** A choice point with fixed runnable actors. */
  record Point(long step, List<String> actors, boolean timerEligible) implements SchedulingStrategy.ChoicePoint {
    @Override
    public int runnableCount() {
      return actors.size();
    }

    @Override
    public String actorId(int i) {
      return actors.get(i);
    }
  }

  @Test
  void onlyChoicePointsWithSeveralOptionsAreDecisions() {
    PctStrategy pct = new PctStrategy(1, 1);
    pct.start(new SimRandom(1));
    pct.choose(new Point(0, List.of("a"), false));
    pct.choose(new Point(1, List.of(), true));
    assertEquals(0, pct.decisions());
    pct.choose(new Point(2, List.of("a", "b"), false));
    pct.choose(new Point(3, List.of("a"), true));
    assertEquals(2, pct.decisions());
  }

  @Test
  void withoutChangePointsTheHighestPriorityActorAlwaysRuns() {
    PctStrategy pct = new PctStrategy(1, 100);
    pct.start(new SimRandom(7));
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < 50; i++) chosen.add(List.of("a", "b", "c").get(pct.choose(new Point(i, List.of("a", "b", "c"), false))));
    assertEquals(1, chosen.stream().distinct().count(), chosen.toString());
  }

  @Test
  void aChangePointDemotesTheActorThatRanBeforeIt() {
    // depth 2 has one change point in [1, k); with k = 2 it is decision 1
    PctStrategy pct = new PctStrategy(2, 2);
    pct.start(new SimRandom(3));
    List<String> actors = List.of("a", "b");
    String first = actors.get(pct.choose(new Point(0, actors, false)));
    String second = actors.get(pct.choose(new Point(1, actors, false)));
    assertNotEquals(first, second, "at the change point the previous runner drops below the other actor");
    assertEquals(second, actors.get(pct.choose(new Point(2, actors, false))));
  }

  @Test
  void theNameCarriesDepthAndK() {
    assertEquals("pct:3:2145", new PctStrategy(3, 2145).name());
  }
}
