package dev.devemu.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Local timers (a device model's {@code scheduleLocal}) fire exactly like the others, in due then scheduling order;
 * only {@link VirtualClock#nextNonLocalDue} passes over them (time domains: the moment a domain could next send).
 */
class VirtualClockLocalTimerTest {
  @Test
  void localTimersFireInOrderButDoNotCountAsTheNextSend() {
    VirtualClock c = new VirtualClock();
    List<String> fired = new ArrayList<>();
    VirtualClock.Timer a = c.scheduleLocal(10, "adc", () -> fired.add("adc@10"));
    c.schedule(30, "irq", () -> fired.add("irq@30"));
    c.scheduleLocal(30, "adc", () -> fired.add("adc@30"));
    VirtualClock.Timer early = c.schedule(20, "early", () -> fired.add("early@20"));
    assertSame(a, c.peek(), "the earliest timer is still the local one");
    assertEquals(20, c.nextNonLocalDue(), "the earliest timer that could send");
    early.cancel();
    assertEquals(30, c.nextNonLocalDue(), "a cancelled timer sends nothing");
    while (c.peek() != null) c.fireNext().action.run();
    assertEquals(List.of("adc@10", "irq@30", "adc@30"), fired, "due time, then scheduling order, local or not");
    assertEquals(Long.MAX_VALUE, c.nextNonLocalDue());
    c.scheduleLocal(5, "adc", () -> { });
    assertEquals(Long.MAX_VALUE, c.nextNonLocalDue(), "only local timers: nothing to send");
  }
}
