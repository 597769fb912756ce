package dev.devemu.wire;

/**
 * A message that may cross a node. Pekko serializes it with {@link DevemuSerializer}; it must have a codec and a
 * Protobuf schema, and the codec round-trip test proves it.
 */
public interface CrossNode {}
