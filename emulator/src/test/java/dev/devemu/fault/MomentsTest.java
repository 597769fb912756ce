package dev.devemu.fault;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MomentsTest {
  final Moments moments = new Moments();
  final List<String> fired = new ArrayList<>();

  @Test
  void aStateMomentFiresOnEntryAndAtOnceIfItHoldsAlready() {
    Moments.Slot slot = moments.slot("0000:00:02.0");
    moments.await("0000:00:02.0", Moments.Moment.WITH_DMA_IN_FLIGHT, () -> fired.add("first"));
    assertTrue(fired.isEmpty(), "nothing in flight yet");
    slot.enter(Moments.Moment.WITH_DMA_IN_FLIGHT);
    assertEquals(List.of("first"), fired);
    slot.enter(Moments.Moment.WITH_DMA_IN_FLIGHT);
    slot.leave(Moments.Moment.WITH_DMA_IN_FLIGHT);
    assertTrue(slot.holds(Moments.Moment.WITH_DMA_IN_FLIGHT), "two transfers started, one completed");
    moments.await("0000:00:02.0", Moments.Moment.WITH_DMA_IN_FLIGHT, () -> fired.add("second"));
    assertEquals(List.of("first", "second"), fired, "armed while in flight: fires at once");
    slot.leave(Moments.Moment.WITH_DMA_IN_FLIGHT);
    slot.leave(Moments.Moment.WITH_DMA_IN_FLIGHT); // unbalanced: a transfer that never completed
    assertFalse(slot.holds(Moments.Moment.WITH_DMA_IN_FLIGHT));
  }

  @Test
  void aPulseFiresEachWaiterOnceInArmingOrder() {
    Moments.Slot slot = moments.slot("usb1-1");
    moments.await("usb1-1", Moments.Moment.AFTER_BIND, () -> fired.add("a"));
    moments.await("usb1-1", Moments.Moment.AFTER_BIND, () -> fired.add("b"));
    moments.await("usb1-1", Moments.Moment.WHILE_OPEN, () -> fired.add("open"));
    slot.pulse(Moments.Moment.WITH_IRQ_PENDING);
    assertTrue(fired.isEmpty(), "another moment");
    slot.pulse(Moments.Moment.AFTER_BIND);
    slot.pulse(Moments.Moment.AFTER_BIND);
    assertEquals(List.of("a", "b"), fired);
    moments.slot("usb1-2").enter(Moments.Moment.WHILE_OPEN);
    assertEquals(List.of("a", "b"), fired, "another slot");
    slot.enter(Moments.Moment.WHILE_OPEN);
    assertEquals(List.of("a", "b", "open"), fired);
  }

  @Test
  void scenarioWordsRoundTrip() {
    for (Moments.Moment m : Moments.Moment.values()) assertEquals(m, Moments.Moment.parse(m.word()));
    assertNull(Moments.Moment.parse("during-lunch"));
  }
}
