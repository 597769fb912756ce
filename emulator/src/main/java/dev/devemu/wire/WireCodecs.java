package dev.devemu.wire;

import java.util.function.Consumer;

/**
 * A feature's codecs. Each feature package has one implementation, listed in
 * {@code META-INF/services/dev.devemu.wire.WireCodecs}, so adding a message never touches another feature.
 */
public interface WireCodecs {
  void register(Consumer<Codec<?, ?>> registry);
}
