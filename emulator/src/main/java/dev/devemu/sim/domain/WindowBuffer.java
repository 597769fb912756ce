package dev.devemu.sim.domain;

import dev.devemu.sim.FaultChoices;
import dev.devemu.sim.TraceSink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One domain's deliveries of the current window, held until {@link DomainRun} merges every domain's into the
 * run's trace. Steps are the domain's own; the merge gives each delivery its step in the run and, for detailed
 * traces, translates "sent by step s" into the run's numbering.
 */
final class WindowBuffer implements TraceSink {
  private final boolean detailed;
  private final List<String> actors = new ArrayList<>();
  private final List<String> messages = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private long[] times = new long[64];
  private long[] localSteps = new long[64];
  private long[] senders = new long[64];
  /** For detailed traces: the run's step of every delivery this domain made, by its own step. */
  private long[] globalOf = new long[0];

  WindowBuffer(boolean detailed) {
    this.detailed = detailed;
  }

  @Override
  public void record(long step, long timeNanos, String actorId, String message) {
    record(step, timeNanos, actorId, message, -1);
  }

  /** A lost domain records nothing more: its stop protocol is not part of the emulated machine. */
  private boolean closed;

  void close() {
    closed = true;
  }

  /** Entries held (merged ones are dropped at each {@link #compact}). */
  int size() {
    return actors.size();
  }

  /** Drops every entry from the {@code mark}-th on (a lost domain's last round, which never happened). */
  void truncate(int mark) {
    if (mark >= actors.size()) return;
    actors.subList(mark, actors.size()).clear();
    messages.subList(mark, messages.size()).clear();
    notes.subList(mark, notes.size()).clear();
    if (head > mark) head = mark;
  }

  /** A record that is no delivery of this domain (a loss, {@link DomainLosses}): no step of its own. */
  void recordMark(long timeNanos, String actorId, String message) {
    append(-1, timeNanos, actorId, message, -1);
  }

  @Override
  public void record(long step, long timeNanos, String actorId, String message, long senderStep) {
    if (closed) return;
    append(step, timeNanos, actorId, message, senderStep);
  }

  private void append(long step, long timeNanos, String actorId, String message, long senderStep) {
    int i = actors.size();
    if (i == times.length) {
      times = Arrays.copyOf(times, i * 2);
      localSteps = Arrays.copyOf(localSteps, i * 2);
      senders = Arrays.copyOf(senders, i * 2);
    }
    times[i] = timeNanos;
    localSteps[i] = step;
    senders[i] = senderStep;
    actors.add(actorId);
    messages.add(message);
    notes.add(null);
  }

  @Override
  public void note(long step, String text) {
    int i = actors.size() - 1;
    if (closed) return;
    while (i >= 0 && FaultChoices.isFault(actors.get(i))) i--; // a note is about the delivery, not its fault decisions
    if (!detailed || i < 0 || localSteps[i] != step) return;
    notes.set(i, notes.get(i) == null ? text : notes.get(i) + "; " + text);
  }

  @Override
  public boolean detailed() {
    return detailed;
  }

  /** Index of the first delivery not yet merged. */
  private int head;

  boolean pending() {
    return head < actors.size();
  }

  int head() {
    return head;
  }

  void advance() {
    head++;
  }

  long time(int i) {
    return times[i];
  }

  String actor(int i) {
    return actors.get(i);
  }

  String message(int i) {
    return messages.get(i);
  }

  String note(int i) {
    return notes.get(i);
  }

  /** The run's step of the delivery that sent the i-th one's message (always this domain's), or -1. */
  long globalSender(int i) {
    long s = senders[i];
    return detailed && s >= 0 && s < globalOf.length ? globalOf[(int) s] : -1;
  }

  /** The merge gave the i-th delivery of this window the run's step {@code step}. */
  void placed(int i, long step) {
    if (!detailed || FaultChoices.isFault(actors.get(i))) return; // shares its delivery's step: keep the delivery's
    long local = localSteps[i];
    if (local < 0) return;
    if (local >= globalOf.length) globalOf = Arrays.copyOf(globalOf, (int) Math.max(1024, Math.max(local + 1, globalOf.length * 2L)));
    globalOf[(int) local] = step;
  }

  /**
   * Nodes: hands every delivery held to {@code out} with this domain's own steps and senders (the guest's node
   * merges them), and forgets them.
   */
  void drainTo(int domain, List<RemoteDomains.TraceEntry> out) {
    for (int i = head; i < actors.size(); i++) {
      out.add(new RemoteDomains.TraceEntry(domain, localSteps[i], times[i], actors.get(i), messages.get(i), senders[i],
          notes.get(i)));
    }
    head = actors.size();
    compact();
  }

  /** Drops what was merged, keeping what waits for a later round at the front. */
  void compact() {
    if (head == 0) return;
    int left = actors.size() - head;
    System.arraycopy(times, head, times, 0, left);
    System.arraycopy(localSteps, head, localSteps, 0, left);
    System.arraycopy(senders, head, senders, 0, left);
    actors.subList(0, head).clear();
    messages.subList(0, head).clear();
    notes.subList(0, head).clear();
    head = 0;
  }
}
