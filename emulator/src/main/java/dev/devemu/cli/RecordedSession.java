package dev.devemu.cli;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * A kind of recorded file that {@code devemu replay} replays besides reports and traces (a live USB/IP session).
 * Listed in {@code META-INF/services/dev.devemu.cli.RecordedSession}, so the command names none of them.
 */
public interface RecordedSession {
  /** True if {@code file} is of this kind (its first line says so). */
  boolean recognises(Path file);

  /** Replays it; returns an exit code ({@link ExitCodes}). */
  int replay(Path file, PrintWriter out, PrintWriter err);
}
