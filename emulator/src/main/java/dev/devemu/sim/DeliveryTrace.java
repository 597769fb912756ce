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
  private long count;

  /** @param keep whether to keep every delivery in memory (needed to write or shrink a trace) */
  public DeliveryTrace(boolean keep) {
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
    kept = keep ? new ArrayList<>() : null;
  }

  @Override
  public void record(long step, long timeNanos, String actorId, String message) {
    Delivery d = new Delivery(step, timeNanos, actorId, message);
    if (DEBUG != null) DEBUG.print(d.canonical());
    digest.update(d.canonical().getBytes(StandardCharsets.UTF_8));
    if (kept != null) kept.add(d);
    count++;
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
