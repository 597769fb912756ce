package dev.devemu.usbip;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A live USB/IP session as a trace: the scenario and seed, every input from the network with its virtual arrival
 * time (in the order the lane took them), and every answer the server gave (time, connection, length and
 * SHA-256, so a replay can prove it answers the same bytes without the file holding every payload twice).
 *
 * <pre>
 * devemu-usbip-session 1
 * seed 1
 * scenario-file scenarios/usb-basic.conf
 * scenario BASE64
 * in TIME CONN open|eof|op BASE64|urb BASE64|bad BASE64
 * out TIME CONN data LENGTH SHA256 | out TIME CONN close BASE64
 * end TIME
 * </pre>
 */
final class Session {
  static final String MAGIC = "devemu-usbip-session 1";

  /** One recorded input. */
  record In(long at, ExportEngine.Input input) {}

  /** One recorded answer: bytes (as length and hash) or the end of a connection. */
  record Out(long at, int conn, String kind, String detail) {
    String line() {
      return "out " + at + " " + conn + " " + kind + " " + detail;
    }
  }

  final long seed;
  final String scenarioFile;
  final String scenarioText;
  final List<In> inputs;
  final List<Out> outputs;
  final long end;

  Session(long seed, String scenarioFile, String scenarioText, List<In> inputs, List<Out> outputs, long end) {
    this.seed = seed;
    this.scenarioFile = scenarioFile;
    this.scenarioText = scenarioText;
    this.inputs = inputs;
    this.outputs = outputs;
    this.end = end;
  }

  static Out data(long at, int conn, byte[] bytes) {
    return new Out(at, conn, "data", bytes.length + " " + sha256(bytes));
  }

  static Out close(long at, int conn, String why) {
    return new Out(at, conn, "close", b64(why.getBytes(StandardCharsets.UTF_8)));
  }

  /** Writes a session as it happens; called on the lane thread only. */
  static final class Recorder implements AutoCloseable {
    private final BufferedWriter w;

    Recorder(Path file, long seed, String scenarioFile, String scenarioText) throws IOException {
      w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
      w.write(MAGIC + "\n");
      w.write("seed " + seed + "\n");
      w.write("scenario-file " + scenarioFile.replace('\n', ' ') + "\n");
      w.write("scenario " + b64(scenarioText.getBytes(StandardCharsets.UTF_8)) + "\n");
    }

    void input(long at, ExportEngine.Input in) {
      String body;
      if (in instanceof ExportEngine.Open) body = "open";
      else if (in instanceof ExportEngine.Eof) body = "eof";
      else if (in instanceof ExportEngine.Op op) body = "op " + b64(op.bytes());
      else if (in instanceof ExportEngine.Urb u) body = "urb " + b64(u.bytes());
      else body = "bad " + b64(((ExportEngine.Bad) in).why().getBytes(StandardCharsets.UTF_8));
      write("in " + at + " " + in.conn() + " " + body);
    }

    void output(Out o) {
      write(o.line());
    }

    void flush() {
      try {
        w.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void end(long at) {
      write("end " + at);
    }

    private void write(String line) {
      try {
        w.write(line);
        w.write('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws IOException {
      w.close();
    }
  }

  /** Bad session file: names the line. */
  static final class BadSession extends Exception {
    BadSession(String message) {
      super(message);
    }
  }

  static Session read(Path file) throws IOException, BadSession {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) {
      throw new BadSession(file + ":1: not a devemu USB/IP session (expected '" + MAGIC + "')");
    }
    Long seed = null;
    String scenarioFile = null;
    String scenarioText = null;
    Long end = null;
    List<In> inputs = new ArrayList<>();
    List<Out> outputs = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      String where = file + ":" + (i + 1) + ": ";
      if (line.isBlank()) continue;
      String[] f = line.split(" ", 5);
      try {
        switch (f[0]) {
          case "seed" -> seed = Long.parseLong(f[1]);
          case "scenario-file" -> scenarioFile = line.substring("scenario-file ".length());
          case "scenario" -> scenarioText = new String(unb64(f[1]), StandardCharsets.UTF_8);
          case "end" -> end = Long.parseLong(f[1]);
          case "in" -> {
            long at = Long.parseLong(f[1]);
            int conn = Integer.parseInt(f[2]);
            ExportEngine.Input in = switch (f[3]) {
              case "open" -> new ExportEngine.Open(conn);
              case "eof" -> new ExportEngine.Eof(conn);
              case "op" -> new ExportEngine.Op(conn, unb64(f[4]));
              case "urb" -> {
                byte[] b = unb64(f[4]);
                if (b.length < UsbipProtocol.HEADER_SIZE
                    || UsbipProtocol.payloadLength(java.util.Arrays.copyOf(b, UsbipProtocol.HEADER_SIZE), true)
                        != b.length - UsbipProtocol.HEADER_SIZE) {
                  throw new BadSession(where + "urb: not one well-formed USB/IP command");
                }
                yield new ExportEngine.Urb(conn, b);
              }
              case "bad" -> new ExportEngine.Bad(conn, new String(unb64(f[4]), StandardCharsets.UTF_8));
              default -> throw new BadSession(where + "unknown input '" + f[3] + "'");
            };
            inputs.add(new In(at, in));
          }
          case "out" -> outputs.add(new Out(Long.parseLong(f[1]), Integer.parseInt(f[2]), f[3], f[4]));
          default -> throw new BadSession(where + "unknown record '" + f[0] + "'");
        }
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException | StringIndexOutOfBoundsException e) {
        throw new BadSession(where + "malformed '" + f[0] + "' record");
      } catch (IllegalArgumentException e) {
        throw new BadSession(where + "bad base64 in '" + f[0] + "' record");
      } catch (UsbipProtocol.ProtocolException e) {
        throw new BadSession(where + "urb: " + e.getMessage());
      }
    }
    if (seed == null || scenarioText == null) throw new BadSession(file + ": no 'seed' or 'scenario' record");
    if (end == null) throw new BadSession(file + ": no 'end' record (the session was not closed cleanly)");
    return new Session(seed, scenarioFile == null ? file.toString() : scenarioFile, scenarioText, inputs, outputs, end);
  }

  static String b64(byte[] b) {
    return b.length == 0 ? "-" : Base64.getEncoder().encodeToString(b);
  }

  static byte[] unb64(String s) {
    return s.equals("-") ? new byte[0] : Base64.getDecoder().decode(s);
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
