package dev.devemu.kernel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One link of the causal chain of messages that led to something: which actor did what, on which CPU, at which
 * virtual time. Chains are immutable and shared; a report prints the chain instead of a stack trace.
 */
public record Cause(String actor, int cpu, long timeNanos, String what, Cause parent) {
  public static final int NO_CPU = -1;

  public static Cause root(String actor, long timeNanos, String what) {
    return new Cause(actor, NO_CPU, timeNanos, what, null);
  }

  public Cause then(String actor, int cpu, long timeNanos, String what) {
    return new Cause(actor, cpu, timeNanos, what, this);
  }

  public Cause then(String actor, long timeNanos, String what) {
    return then(actor, NO_CPU, timeNanos, what);
  }

  /** Oldest first. */
  public List<Cause> chain() {
    List<Cause> out = new ArrayList<>();
    for (Cause c = this; c != null && out.size() < 64; c = c.parent) out.add(c);
    Collections.reverse(out);
    return out;
  }

  /** One line: {@code [   1.234567] cpu1 irqchip: MSI vector 34}. */
  public String line() {
    String where = cpu == NO_CPU || actor.equals("cpu" + cpu) ? "" : "cpu" + cpu;
    return String.format("[%5d.%06d] %-6s %s: %s", timeNanos / 1_000_000_000L, (timeNanos / 1_000L) % 1_000_000L,
        where, actor, what);
  }
}
