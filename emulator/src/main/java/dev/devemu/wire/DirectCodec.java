package dev.devemu.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.io.IOException;

/**
 * A codec for a hot message that writes the record's Protobuf form straight to the stream and reads it straight
 * back, without building the generated message in between (that copy cost as much as the encoding itself:
 * BENCHMARKS.md, figure 4). The generated class stays the schema of record: {@link #toProto} and
 * {@link #fromProto} are kept, and CodecRoundTripTest checks for every sample that both paths give the same bytes
 * and the same record, and that the direct reader skips fields it does not know, as the generated parser does.
 *
 * <p>Subclasses write fields in field-number order and leave out proto3 defaults (0, "", empty bytes), exactly as
 * the generated {@code writeTo} does; a message-typed field such as a {@code Cause} is always written, since the
 * generated path always sets it.
 */
public abstract class DirectCodec<R, P extends Message> implements Codec<R, P> {
  private final Codec<R, P> generated;

  protected DirectCodec(Codec<R, P> generated) {
    this.generated = generated;
  }

  @Override
  public final Class<R> type() {
    return generated.type();
  }

  @Override
  public final String manifest() {
    return generated.manifest();
  }

  @Override
  public final P toProto(R message, WireContext ctx) {
    return generated.toProto(message, ctx);
  }

  @Override
  public final R fromProto(P proto, WireContext ctx) {
    return generated.fromProto(proto, ctx);
  }

  @Override
  public final P parse(byte[] bytes) throws InvalidProtocolBufferException {
    return generated.parse(bytes);
  }

  /** The encoded size of {@code message}, as the generated {@code getSerializedSize} would compute it. */
  protected abstract int size(R message, WireContext ctx);

  protected abstract void write(R message, CodedOutputStream out, WireContext ctx) throws IOException;

  /** Reads fields until the end of the input; unknown fields are skipped. */
  protected abstract R read(CodedInputStream in, WireContext ctx) throws IOException;

  /** Skips a field this reader does not know, as the generated parser does; an end-group tag is an error. */
  protected static void skip(CodedInputStream in, int tag) throws IOException {
    if (!in.skipField(tag)) throw new InvalidProtocolBufferException("Protocol message end-group tag did not match expected tag.");
  }

  @Override
  public final byte[] encode(R message, WireContext ctx) {
    byte[] bytes = new byte[size(message, ctx)];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      write(message, out, ctx);
    } catch (IOException e) {
      throw new IllegalStateException("encoding " + manifest() + " into its own buffer failed", e);
    }
    out.checkNoSpaceLeft();
    return bytes;
  }

  @Override
  public final R decode(byte[] bytes, WireContext ctx) throws IOException {
    return read(CodedInputStream.newInstance(bytes), ctx);
  }
}
