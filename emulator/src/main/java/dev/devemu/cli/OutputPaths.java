package dev.devemu.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks output paths before a command starts its work, so that a run of minutes is not lost to a path that
 * cannot be written (issue 17.5). Each check returns null when the path is fine, or the reason it is not; the
 * caller prints it with the option's name and exits 2.
 */
final class OutputPaths {
  private OutputPaths() {}

  /** A file to be written (created or replaced); missing parent folders are created when it is written. */
  static String checkFile(Path file) {
    if (Files.isDirectory(file)) return "is a folder, not a file";
    if (Files.exists(file) && !Files.isWritable(file)) return "exists and is not writable";
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? null : checkFolder(parent);
  }

  /** A folder to write into: it exists and takes a new file, or it can be created. */
  static String checkFolder(Path dir) {
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) existing = existing.getParent();
    if (existing == null) return "no part of it exists";
    if (!Files.isDirectory(existing)) {
      return existing.equals(dir.toAbsolutePath()) ? "exists and is not a folder" : existing + " is not a folder";
    }
    // the only honest test of writability (permissions, read-only mounts, ACLs): make a file and delete it
    try {
      Path probe = Files.createTempFile(existing, ".devemu-write-check", ".tmp");
      Files.delete(probe);
      return null;
    } catch (IOException | SecurityException e) {
      return (existing.equals(dir.toAbsolutePath()) ? "" : existing + " ") + "is not writable (" + e.getClass()
          .getSimpleName() + ")";
    }
  }
}
