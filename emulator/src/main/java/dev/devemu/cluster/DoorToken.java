package dev.devemu.cluster;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The bearer token of a node's HTTP door: where a node gets it ({@code devemu.http.token}, else the file
 * {@code devemu.http.token-file}, else one it makes in {@code DATA_DIR/http-token}), where a client gets it
 * ({@code --token-file}, else {@code DEVEMU_TOKEN}), and how the door compares it (in constant time).
 */
public final class DoorToken {
  /** Shorter tokens are refused: a door on a network must not be guessable. */
  static final int MIN_LENGTH = 16;
  public static final String GENERATED_FILE = "http-token";
  public static final String ENV = "DEVEMU_TOKEN";

  /**
   * A node's token and where it came from (for the node's start line; never the token itself).
   *
   * @param source e.g. {@code devemu.http.token}, {@code file /etc/devemu/token}
   */
  public record Token(String value, String source) {
    @Override
    public String toString() {
      return "token from " + source; // never the value, should a record end up in a log line
    }
  }

  private DoorToken() {}

  /**
   * The token a node's door requires.
   *
   * @throws IllegalArgumentException for a token that is too short, a missing or unreadable file, or a file that
   *     others may read (bad input: the node does not start)
   */
  public static Token forNode(Config config, Path dataDir) {
    String inline = config.hasPath("devemu.http.token") ? config.getString("devemu.http.token").strip() : "";
    if (!inline.isEmpty()) return new Token(checked(inline, "devemu.http.token"), "devemu.http.token");
    String file = config.hasPath("devemu.http.token-file") ? config.getString("devemu.http.token-file").strip() : "";
    if (!file.isEmpty()) return new Token(read(Path.of(file), "devemu.http.token-file"), "file " + file);
    if (config.hasPath("devemu.http.make-token") && !config.getBoolean("devemu.http.make-token")) {
      throw new IllegalArgumentException("the HTTP door needs a token and this deployment does not make one "
          + "(devemu.http.make-token = off): set DEVEMU_TOKEN, or devemu.http.token-file / DEVEMU_TOKEN_FILE");
    }
    return generated(dataDir.resolve(GENERATED_FILE));
  }

  /**
   * The token a client sends: the file given with {@code --token-file}, else {@code DEVEMU_TOKEN}, else none.
   *
   * @throws IllegalArgumentException for a missing, unreadable or world-readable file
   */
  public static String forClient(Path tokenFile) {
    if (tokenFile != null) return read(tokenFile, "--token-file");
    String env = System.getenv(ENV);
    return env == null || env.isBlank() ? null : env.strip();
  }

  /** Whether {@code presented} is {@code expected}, in time that does not depend on where they differ. */
  public static boolean matches(String expected, String presented) {
    if (expected == null || presented == null) return false;
    // Comparing digests hides the length too; MessageDigest.isEqual does not stop at the first difference.
    return MessageDigest.isEqual(sha256(expected), sha256(presented));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String checked(String token, String where) {
    if (token.length() < MIN_LENGTH) {
      throw new IllegalArgumentException(where + ": a token needs at least " + MIN_LENGTH + " characters (e.g. "
          + "`openssl rand -base64 32`)");
    }
    return token;
  }

  /** Reads a token file, refusing one that users other than its owner and group may read or write. */
  static String read(Path file, String where) {
    try {
      PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
      if (posix != null) {
        Set<PosixFilePermission> p = posix.readAttributes().permissions();
        if (p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
          throw new IllegalArgumentException(where + ": " + file + " may be read or written by any user ("
              + PosixFilePermissions.toString(p) + "); chmod 600 " + file);
        }
      }
      return checked(Files.readString(file, StandardCharsets.UTF_8).strip(), where + " " + file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(where + ": " + file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException(where + ": " + file + ": cannot read: " + e.getMessage());
    }
  }

  /**
   * The token in {@code file}, made there first if it is missing (owner-only permissions from the start). Nodes
   * sharing a data directory (local-3-nodes) share the token: the first one makes it, the others read it.
   */
  private static Token generated(Path file) {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    try {
      Files.createDirectories(file.getParent());
      boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
      if (posix) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
      Files.writeString(file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      return new Token(token, "file " + file + " (made now: no devemu.http.token was configured)");
    } catch (FileAlreadyExistsException e) {
      // Another node of this machine made it a moment ago: wait for its content.
      for (int i = 0; i < 50; i++) {
        try {
          return new Token(read(file, "token"), "file " + file);
        } catch (IllegalArgumentException tooShortYet) {
          if (i == 49) throw tooShortYet;
          try {
            Thread.sleep(20);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw tooShortYet;
          }
        }
      }
      throw new IllegalStateException("unreachable");
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot make the HTTP door's token: " + e.getMessage());
    }
  }
}
