package dev.devemu.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The ordered deliveries of a run, hashed as they happen and optionally kept for a trace file. */
public final class DeliveryTrace implements TraceSink {
  /** One delivery: the actor that ran (or {@code @clock}) and what it processed. */
  public record Delivery(long step, long timeNanos, String actor, String message) {
    String canonical() {
      return step + " " + timeNanos + " " + actor + " " + message + "\n";
    }
  }

  private static final java.io.PrintStream DEBUG = System.getenv("DEVEMU_TRACE_STDERR") == null ? null : System.err;

  private final MessageDigest digest;
  private final List<Delivery> kept;
  private final boolean detailed;
  private long[] senders = new long[0];
  private final List<String> notes;
  private long count;

  /** @param keep whether to keep every delivery in memory (needed to write or shrink a trace) */
  public DeliveryTrace(boolean keep) {
    this(keep, false);
  }

  /**
   * @param keep whether to keep every delivery in memory (needed to write or shrink a trace)
   * @param detailed whether to also keep, per delivery, which delivery sent its message and what it did (needed
   *     to draw the run on a timeline); implies keep
   */
  public DeliveryTrace(boolean keep, boolean detailed) {
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
    this.detailed = detailed;
    kept = keep || detailed ? new ArrayList<>() : null;
    notes = detailed ? new ArrayList<>() : null;
  }

  @Override
  public void record(long step, long timeNanos, String actorId, String message) {
    record(step, timeNanos, actorId, message, -1);
  }

  @Override
  public void record(long step, long timeNanos, String actorId, String message, long senderStep) {
    Delivery d = new Delivery(step, timeNanos, actorId, message);
    if (DEBUG != null) DEBUG.print(d.canonical());
    // the sender and the notes stay out of the hash: they describe the run, they do not decide it
    digest.update(d.canonical().getBytes(StandardCharsets.UTF_8));
    if (kept != null) {
      kept.add(d);
      if (detailed) {
        int i = kept.size() - 1;
        if (i >= senders.length) senders = java.util.Arrays.copyOf(senders, Math.max(1024, senders.length * 2));
        senders[i] = senderStep;
        notes.add(null);
      }
    }
    count++;
  }

  @Override
  public void note(long step, String text) {
    if (!detailed || kept.isEmpty()) return;
    int i = kept.size() - 1;
    while (i > 0 && FaultChoices.isFault(kept.get(i).actor())) i--; // about the delivery, not its fault decisions
    if (kept.get(i).step() != step) return;
    String before = notes.get(i);
    notes.set(i, before == null ? text : before + "; " + text);
  }

  @Override
  public boolean detailed() {
    return detailed;
  }

  /** The step of the delivery that sent the i-th delivery's message, or -1 if unknown or not detailed. */
  public long senderOf(int i) {
    return detailed && i < kept.size() ? senders[i] : -1;
  }

  /** What the i-th delivery did, if a component noted it (detailed traces only), or null. */
  public String noteOf(int i) {
    return detailed && i < notes.size() ? notes.get(i) : null;
  }

  public long count() {
    return count;
  }

  /** Hex SHA-256 of the canonical text of every delivery so far; finishes the digest, call once. */
  public String sha256() {
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The kept deliveries; empty unless constructed with keep = true. */
  public List<Delivery> deliveries() {
    return kept == null ? List.of() : kept;
  }

  /** The choice sequence a {@link ReplayStrategy} needs: one actor id per delivery. */
  public List<String> choices() {
    List<String> out = new ArrayList<>(deliveries().size());
    for (Delivery d : deliveries()) out.add(d.actor());
    return out;
  }
}
