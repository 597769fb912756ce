package dev.devemu.report;

import dev.devemu.kernel.Oops;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The text a run prints for its reports — each oops as the kernel log shows it, who is blamed, and the command
 * that replays the run — built in one place, so that {@code run}, {@code explore}, {@code replay} and the JSON
 * report file say exactly the same bytes.
 */
public final class ReportText {
  private ReportText() {}

  /** The reports of a run, each ending with {@code Replay: <command>}; empty if there are none. */
  public static String of(List<Oops> oopses, String replayCommand) {
    StringBuilder sb = new StringBuilder();
    for (Oops o : oopses) sb.append(one(o, replayCommand));
    return sb.toString();
  }

  /** One report block: the oops, the line naming its detector and owner, and the replay command. */
  public static String one(Oops o, String replayCommand) {
    return o.format()
        + "Blamed on: " + o.owner() + "   detector: " + o.detector() + "   signature: " + o.signature() + "\n"
        + "Replay: " + replayCommand + "\n\n";
  }

  /** Hex SHA-256 of the UTF-8 bytes of {@code text}. */
  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }
}
