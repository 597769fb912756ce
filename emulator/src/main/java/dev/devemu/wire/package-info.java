/**
 * How messages cross nodes: every message that may leave a JVM is a Java record with a Protobuf schema in
 * {@code protocol/}; a {@link dev.devemu.wire.Codec} per record maps the two, and {@link dev.devemu.wire.DevemuSerializer}
 * binds them to Pekko.
 */
package dev.devemu.wire;
