package dev.devemu.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.devemu.sim.Cause;
import java.io.IOException;

/**
 * The {@code devemu.v1.Cause} message (common.proto) written and read directly, for {@link DirectCodec}s: a list of
 * {@code CauseFrame}s, oldest first, at most {@link #MAX_FRAMES} (the newest ones), as {@link Cause#chain()} gives
 * them to the generated path.
 */
public final class CauseWire {
  static final int MAX_FRAMES = 64;
  private static final int FRAMES = 1;
  private static final int ACTOR = 1;
  private static final int CPU = 2;
  private static final int TIME_NS = 3;
  private static final int WHAT = 4;

  private CauseWire() {}

  /** Size of the Cause field {@code field} of an enclosing message, tag included. */
  public static int fieldSize(int field, Cause cause) {
    int body = bodySize(cause);
    return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(body) + body;
  }

  /** Writes the Cause as field {@code field} of an enclosing message (always: the generated path always sets it). */
  public static void writeField(CodedOutputStream out, int field, Cause cause) throws IOException {
    out.writeTag(field, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(bodySize(cause));
    Cause[] frames = frames(cause);
    for (int i = frames.length - 1; i >= 0; i--) {
      byte[] frame = frame(frames[i]);
      out.writeTag(FRAMES, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(frame.length);
      out.writeRawBytes(frame);
    }
  }

  /** Reads a length-delimited Cause field's body; returns the newest frame (null for no frames). */
  public static Cause read(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    Cause newest = null;
    while (true) {
      int tag = in.readTag();
      if (tag == 0) break;
      if (tag == (FRAMES << 3 | 2)) {
        int frameLimit = in.pushLimit(in.readRawVarint32());
        String actor = "";
        int cpu = 0;
        long time = 0;
        String what = "";
        while (true) {
          int t = in.readTag();
          if (t == 0) break;
          switch (t) {
            case ACTOR << 3 | 2 -> actor = in.readStringRequireUtf8();
            case CPU << 3 -> cpu = in.readSInt32();
            case TIME_NS << 3 -> time = in.readUInt64();
            case WHAT << 3 | 2 -> what = in.readStringRequireUtf8();
            default -> DirectCodec.skip(in, t);
          }
        }
        in.popLimit(frameLimit);
        newest = new Cause(actor, cpu, time, what, newest);
      } else {
        DirectCodec.skip(in, tag);
      }
    }
    in.checkLastTagWas(0);
    in.popLimit(limit);
    return newest;
  }

  private static int bodySize(Cause cause) {
    int size = 0;
    int n = 0;
    for (Cause c = cause; c != null && n < MAX_FRAMES; c = c.parent(), n++) {
      int frame = frame(c).length;
      size += 1 + CodedOutputStream.computeUInt32SizeNoTag(frame) + frame;
    }
    return size;
  }

  /** The link's encoded CauseFrame, written once per link (its fields never change). */
  private static byte[] frame(Cause c) {
    byte[] bytes = c.encodedFrame();
    if (bytes != null) return bytes;
    int size = 0;
    if (!c.actor().isEmpty()) size += CodedOutputStream.computeStringSize(ACTOR, c.actor());
    if (c.cpu() != 0) size += CodedOutputStream.computeSInt32Size(CPU, c.cpu());
    if (c.timeNanos() != 0) size += CodedOutputStream.computeUInt64Size(TIME_NS, c.timeNanos());
    if (!c.what().isEmpty()) size += CodedOutputStream.computeStringSize(WHAT, c.what());
    bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      if (!c.actor().isEmpty()) out.writeString(ACTOR, c.actor());
      if (c.cpu() != 0) out.writeSInt32(CPU, c.cpu());
      if (c.timeNanos() != 0) out.writeUInt64(TIME_NS, c.timeNanos());
      if (!c.what().isEmpty()) out.writeString(WHAT, c.what());
    } catch (IOException e) {
      throw new IllegalStateException("encoding a cause frame into its own buffer failed", e);
    }
    out.checkNoSpaceLeft();
    c.encodedFrame(bytes);
    return bytes;
  }

  /** Newest first, at most MAX_FRAMES. */
  private static Cause[] frames(Cause cause) {
    int n = 0;
    for (Cause c = cause; c != null && n < MAX_FRAMES; c = c.parent()) n++;
    Cause[] out = new Cause[n];
    int i = 0;
    for (Cause c = cause; i < n; c = c.parent()) out[i++] = c;
    return out;
  }
}
