package dev.devemu.wire;

import java.io.IOException;
import java.io.NotSerializableException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Pekko's binding for every devemu message: the manifest names the record, the bytes are its Protobuf form.
 * Bytes that do not parse raise {@link NotSerializableException}, which Pekko's remoting logs and drops — the
 * node stays up.
 */
public final class DevemuSerializer extends SerializerWithStringManifest {
  /** Serializer id in {@code pekko.actor.serialization-identifiers}; never change it. */
  public static final int IDENTIFIER = 744_201;

  private final ExtendedActorSystem system;
  private volatile WireContext ctx;

  public DevemuSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  private WireContext ctx() {
    WireContext c = ctx;
    if (c == null) {
      c = new WireContext(ActorRefResolver.get(Adapter.toTyped(system)));
      ctx = c;
    }
    return c;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    Codec<?, ?> codec = CodecRegistry.get().forType(o.getClass());
    if (codec == null) throw new IllegalArgumentException("no codec for " + o.getClass().getName());
    return codec.manifest();
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public byte[] toBinary(Object o) {
    Codec codec = CodecRegistry.get().forType(o.getClass());
    if (codec == null) throw new IllegalArgumentException("no codec for " + o.getClass().getName());
    return codec.encode(o, ctx());
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    Codec codec = CodecRegistry.get().forManifest(manifest);
    if (codec == null) throw new NotSerializableException("unknown devemu manifest '" + manifest + "'");
    try {
      return codec.decode(bytes, ctx());
    } catch (IOException | RuntimeException e) {
      throw new NotSerializableException("corrupt " + manifest + " frame (" + bytes.length + " bytes): " + e.getMessage());
    }
  }
}
