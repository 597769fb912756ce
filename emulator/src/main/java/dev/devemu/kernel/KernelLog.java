package dev.devemu.kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The printk ring buffer: the last lines the kernel and its drivers logged, stamped with virtual time. */
public final class KernelLog {
  private final int capacity;
  private final ArrayDeque<String> lines;
  private long total;

  public KernelLog(int capacity) {
    this.capacity = capacity;
    this.lines = new ArrayDeque<>(Math.min(capacity, 1024));
  }

  public void print(long timeNanos, String text) {
    if (lines.size() == capacity) lines.removeFirst();
    lines.addLast(String.format("[%5d.%06d] %s", timeNanos / 1_000_000_000L, (timeNanos / 1_000L) % 1_000_000L, text));
    total++;
  }

  public List<String> lines() {
    return new ArrayList<>(lines);
  }

  public long total() {
    return total;
  }
}
