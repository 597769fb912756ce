package dev.devemu.fault;

import java.util.Collections;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Every point a fault plan may make fail, with what failing there means: the union of what the
 * {@link FaultPointSource}s on the class path declare. Read once, then never changed.
 */
public final class FaultPoints {
  private static final Map<String, String> POINTS = load();

  private FaultPoints() {}

  private static Map<String, String> load() {
    Map<String, String> points = new TreeMap<>();
    for (FaultPointSource source : ServiceLoader.load(FaultPointSource.class)) {
      source.faultPoints().forEach((name, meaning) -> {
        String other = points.putIfAbsent(name, meaning);
        if (other != null && !other.equals(meaning)) {
          throw new IllegalStateException("fault point " + name + " is declared twice (" + source.getClass().getName()
              + ")");
        }
      });
    }
    return Collections.unmodifiableMap(points);
  }

  public static boolean known(String name) {
    return POINTS.containsKey(name);
  }

  public static Map<String, String> all() {
    return POINTS;
  }
}
