package dev.devemu.wire;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/** Every codec of every feature, found through {@link WireCodecs} service entries. */
public final class CodecRegistry {
  private static final CodecRegistry INSTANCE = load();

  private final Map<Class<?>, Codec<?, ?>> byType;
  private final Map<String, Codec<?, ?>> byManifest;

  private CodecRegistry(Map<Class<?>, Codec<?, ?>> byType, Map<String, Codec<?, ?>> byManifest) {
    this.byType = byType;
    this.byManifest = byManifest;
  }

  public static CodecRegistry get() {
    return INSTANCE;
  }

  private static CodecRegistry load() {
    Map<Class<?>, Codec<?, ?>> byType = new LinkedHashMap<>();
    Map<String, Codec<?, ?>> byManifest = new HashMap<>();
    for (WireCodecs feature : ServiceLoader.load(WireCodecs.class, CodecRegistry.class.getClassLoader())) {
      feature.register(c -> {
        if (byType.put(c.type(), c) != null) throw new IllegalStateException("two codecs for " + c.type());
        if (byManifest.put(c.manifest(), c) != null) throw new IllegalStateException("manifest reused: " + c.manifest());
      });
    }
    return new CodecRegistry(Collections.unmodifiableMap(byType), Collections.unmodifiableMap(byManifest));
  }

  /** Per-class lookup without hashing: asked once per message sent across a node. */
  private final ClassValue<Codec<?, ?>> byClass = new ClassValue<>() {
    @Override
    protected Codec<?, ?> computeValue(Class<?> type) {
      return byType.get(type);
    }
  };

  public Codec<?, ?> forType(Class<?> type) {
    return byClass.get(type);
  }

  public Codec<?, ?> forManifest(String manifest) {
    return byManifest.get(manifest);
  }

  public Collection<Codec<?, ?>> all() {
    return byType.values();
  }
}
