package dev.devemu.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One link of the causal chain of messages that led to something: which actor did what, on which CPU, at which
 * virtual time. Chains are immutable and shared; a report prints the chain instead of a stack trace.
 *
 * <p>The description may be given lazily: most chains are never printed, and building the text of every MMIO
 * access eagerly was a measurable part of each delivery.
 */
public final class Cause {
  public static final int NO_CPU = -1;

  private final String actor;
  private final int cpu;
  private final long timeNanos;
  private Object what; // a String, or a Supplier<String> until first asked
  private final Cause parent;
  /**
   * This link's encoded {@code CauseFrame}, once a codec has written it (wire.CauseWire): a chain's older links are
   * shared by every message that follows from them, and a generated Protobuf message keeps its encoding the same
   * way. Volatile, because serializers of several threads may write one chain.
   */
  private volatile byte[] encodedFrame;

  public Cause(String actor, int cpu, long timeNanos, String what, Cause parent) {
    this(actor, cpu, timeNanos, (Object) what, parent);
  }

  private Cause(String actor, int cpu, long timeNanos, Object what, Cause parent) {
    this.actor = actor;
    this.cpu = cpu;
    this.timeNanos = timeNanos;
    this.what = what;
    this.parent = parent;
  }

  public static Cause root(String actor, long timeNanos, String what) {
    return new Cause(actor, NO_CPU, timeNanos, what, null);
  }

  public Cause then(String actor, int cpu, long timeNanos, String what) {
    return new Cause(actor, cpu, timeNanos, what, this);
  }

  /** Like {@link #then(String, int, long, String)}, with the description built only if someone reads it. */
  public Cause thenLazy(String actor, int cpu, long timeNanos, Supplier<String> what) {
    return new Cause(actor, cpu, timeNanos, (Object) what, this);
  }

  public Cause then(String actor, long timeNanos, String what) {
    return then(actor, NO_CPU, timeNanos, what);
  }

  /** A root link whose description is built only if someone reads it. */
  public static Cause rootLazy(String actor, int cpu, long timeNanos, Supplier<String> what) {
    return new Cause(actor, cpu, timeNanos, (Object) what, null);
  }

  public String actor() {
    return actor;
  }

  public int cpu() {
    return cpu;
  }

  public long timeNanos() {
    return timeNanos;
  }

  @SuppressWarnings("unchecked")
  public String what() {
    Object w = what;
    if (w instanceof Supplier<?> s) {
      w = String.valueOf(((Supplier<String>) s).get());
      what = w;
    }
    return (String) w;
  }

  /** The encoded frame a wire codec left here, or null; only {@code wire.CauseWire} reads or writes it. */
  public byte[] encodedFrame() {
    return encodedFrame;
  }

  public void encodedFrame(byte[] bytes) {
    this.encodedFrame = bytes;
  }

  public Cause parent() {
    return parent;
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
        where, actor, what());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cause c && cpu == c.cpu && timeNanos == c.timeNanos && actor.equals(c.actor)
        && what().equals(c.what()) && Objects.equals(parent, c.parent);
  }

  @Override
  public int hashCode() {
    return Objects.hash(actor, cpu, timeNanos, what(), parent);
  }

  @Override
  public String toString() {
    return line();
  }
}
