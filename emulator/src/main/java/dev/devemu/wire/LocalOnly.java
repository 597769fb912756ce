package dev.devemu.wire;

/**
 * A message that never leaves its testbed's JVM (it carries Java objects such as tasks or programs). Pekko skips
 * serialization checks for it; everything else must have a Protobuf schema in {@code protocol/}.
 */
public interface LocalOnly extends org.apache.pekko.actor.NoSerializationVerificationNeeded {}
