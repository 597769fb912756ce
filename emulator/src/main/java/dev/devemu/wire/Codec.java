package dev.devemu.wire;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

/**
 * Maps one message record to its Protobuf schema and back.
 *
 * @param <R> the record actors exchange
 * @param <P> its generated Protobuf class
 */
public interface Codec<R, P extends Message> {
  /** The record class. */
  Class<R> type();

  /** The manifest written next to the bytes; stable across versions, so never rename it. */
  String manifest();

  P toProto(R message, WireContext ctx);

  R fromProto(P proto, WireContext ctx);

  P parse(byte[] bytes) throws InvalidProtocolBufferException;

  /** The record's bytes on the wire: its Protobuf form (a {@link DirectCodec} writes them without the copy). */
  default byte[] encode(R message, WireContext ctx) {
    return toProto(message, ctx).toByteArray();
  }

  /** The record back from its bytes; throws if they are not a valid encoding of the schema. */
  default R decode(byte[] bytes, WireContext ctx) throws java.io.IOException {
    return fromProto(parse(bytes), ctx);
  }

  /** Builds a codec from lambdas. */
  static <R, P extends Message> Codec<R, P> of(Class<R> type, String manifest, Parser<P> parser,
      ToProto<R, P> to, FromProto<R, P> from) {
    return new Codec<>() {
      @Override
      public Class<R> type() {
        return type;
      }

      @Override
      public String manifest() {
        return manifest;
      }

      @Override
      public P toProto(R message, WireContext ctx) {
        return to.apply(message, ctx);
      }

      @Override
      public R fromProto(P proto, WireContext ctx) {
        return from.apply(proto, ctx);
      }

      @Override
      public P parse(byte[] bytes) throws InvalidProtocolBufferException {
        return parser.parse(bytes);
      }
    };
  }

  interface Parser<P> {
    P parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  interface ToProto<R, P> {
    P apply(R message, WireContext ctx);
  }

  interface FromProto<R, P> {
    R apply(P proto, WireContext ctx);
  }
}
