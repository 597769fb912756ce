package dev.devemu.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code results.jsonl}: one {@link RunRecord} per line, appended as runs finish. Each line goes out in one write
 * (so a killed process leaves at most one cut line), and the file is forced to disk at most every half second and
 * on close. Opening an existing log reads every complete line; a last line cut by a kill is dropped — from the
 * file too, so the next append starts a clean line. A key is counted once: a line repeating a key already read is
 * ignored.
 */
public final class ResultLog implements AutoCloseable {
  public static final String FILE = "results.jsonl";
  private static final long FORCE_EVERY_NANOS = 500_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path path;
  private final FileChannel channel;
  private final Map<RunKey, RunRecord> records = new TreeMap<>();
  private int droppedLines;
  private int duplicateLines;
  private long lastForce = System.nanoTime();

  private ResultLog(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  /**
   * Opens {@code dir/results.jsonl}, creating it if needed, and reads what it holds.
   *
   * @throws CampaignException if a line other than the last is not a run record (the file was edited or damaged)
   */
  public static ResultLog open(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path path = dir.resolve(FILE);
    byte[] bytes = Files.exists(path) ? Files.readAllBytes(path) : new byte[0];
    FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.READ);
    ResultLog log = new ResultLog(path, channel);
    try {
      long keep = log.read(bytes);
      if (keep < bytes.length) {
        channel.truncate(keep);
        channel.force(true);
      }
      channel.position(keep);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return log;
  }

  /** Parses complete lines; returns how many bytes of the file to keep. */
  private long read(byte[] bytes) {
    int start = 0;
    int lineNo = 0;
    long keep = 0;
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') end++;
      lineNo++;
      boolean complete = end < bytes.length;
      boolean last = !complete || end + 1 >= bytes.length;
      String text = new String(bytes, start, end - start, StandardCharsets.UTF_8);
      if (!complete) {
        droppedLines++; // cut by a kill in the middle of a write
        break;
      }
      if (!text.isBlank()) {
        RunRecord r;
        try {
          r = RunRecord.fromJson(JSON.readTree(text));
        } catch (IOException | IllegalArgumentException e) {
          if (last) {
            droppedLines++;
            break;
          }
          throw new CampaignException(path + ":" + lineNo + ": not a run record (" + e.getMessage() + ")");
        }
        if (records.putIfAbsent(r.key(), r) != null) duplicateLines++;
      }
      start = end + 1;
      keep = start;
    }
    return keep;
  }

  /** Every record read or appended, by key. */
  public synchronized Map<RunKey, RunRecord> records() {
    return Collections.unmodifiableMap(new TreeMap<>(records));
  }

  /** Lines dropped when the log was opened (a line cut by a kill). */
  public int droppedLines() {
    return droppedLines;
  }

  /** Lines that repeated a key already present (ignored). */
  public int duplicateLines() {
    return duplicateLines;
  }

  /**
   * Appends a record; a key already in the log is not written again.
   *
   * @return false if the key was already there
   */
  public synchronized boolean append(RunRecord r) throws IOException {
    if (records.putIfAbsent(r.key(), r) != null) return false;
    ByteBuffer buf = ByteBuffer.wrap((JSON.writeValueAsString(r.toJson()) + "\n").getBytes(StandardCharsets.UTF_8));
    while (buf.hasRemaining()) channel.write(buf);
    long now = System.nanoTime();
    if (now - lastForce >= FORCE_EVERY_NANOS) {
      channel.force(false);
      lastForce = now;
    }
    return true;
  }

  public Path path() {
    return path;
  }

  @Override
  public synchronized void close() throws IOException {
    if (!channel.isOpen()) return;
    channel.force(true);
    channel.close();
  }
}
