package dev.devemu.scenario;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One object of a scenario file, read strictly: every key must be known, every value of the right type, and
 * every error names the file, the line and the full key ({@code devices[0].interrupt-rate}).
 */
public final class ScenarioNode {
  private final String file;
  private final String path;
  private final ConfigObject object;
  private final Set<String> allowed = new LinkedHashSet<>();

  ScenarioNode(String file, String path, ConfigObject object) {
    this.file = file;
    this.path = path;
    this.object = object;
  }

  /** The dotted path of this node, e.g. {@code devices[1]}. */
  public String path() {
    return path;
  }

  public String file() {
    return file;
  }

  private String key(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private ConfigValue value(String name) {
    return object.get(name);
  }

  public boolean has(String name) {
    allowed.add(name);
    return object.containsKey(name);
  }

  private int line(ConfigValue v) {
    ConfigOrigin o = v == null ? object.origin() : v.origin();
    return o == null ? -1 : o.lineNumber();
  }

  /**
   * The file a value was written in: the scenario's own, or the file it included ({@code ScenarioLoader} names
   * each parsed file as the origin's description, which Typesafe renders as {@code name: line}).
   */
  private String fileOf(ConfigValue v) {
    ConfigOrigin o = v == null ? object.origin() : v.origin();
    if (o == null || o.description() == null || o.description().startsWith("merge of")) return file;
    String d = o.description();
    String suffix = ": " + o.lineNumber();
    if (d.endsWith(suffix)) d = d.substring(0, d.length() - suffix.length());
    return d.isEmpty() ? file : d;
  }

  /** An error at {@code name} of this node. */
  public ScenarioException error(String name, String message) {
    return new ScenarioException(fileOf(value(name)), line(value(name)), key(name), message);
  }

  /** An error about this node as a whole. */
  public ScenarioException error(String message) {
    return new ScenarioException(fileOf(null), line(null), path, message);
  }

  private ConfigValue require(String name) {
    allowed.add(name);
    ConfigValue v = value(name);
    if (v == null) {
      // A required key that is missing is often a misspelt one: name the typo, where it is.
      for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
        if (!allowed.contains(e.getKey()) && editDistance(e.getKey(), name) <= 2) {
          throw new ScenarioException(fileOf(e.getValue()), line(e.getValue()), key(e.getKey()), "unknown key (did you mean "
              + name + "?)");
        }
      }
      throw new ScenarioException(fileOf(null), line(null), key(name), "missing (required)");
    }
    return v;
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private ConfigValue require(String name, ConfigValueType type, String what) {
    ConfigValue v = require(name);
    if (v.valueType() != type) {
      throw new ScenarioException(fileOf(v), line(v), key(name), "expected " + what + ", got " + describe(v));
    }
    return v;
  }

  private static String describe(ConfigValue v) {
    return v.valueType().name().toLowerCase() + " " + v.render().replace('\n', ' ');
  }

  public String string(String name) {
    ConfigValue v = require(name);
    if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST
        || v.valueType() == ConfigValueType.NULL) {
      throw new ScenarioException(fileOf(v), line(v), key(name), "expected a string, got " + describe(v));
    }
    return String.valueOf(v.unwrapped());
  }

  public String string(String name, String fallback) {
    return has(name) ? string(name) : fallback;
  }

  /** One of the given words. */
  public String oneOf(String name, String fallback, String... choices) {
    String v = has(name) ? string(name) : fallback;
    for (String c : choices) {
      if (c.equals(v)) return v;
    }
    throw error(name, "must be one of " + String.join(", ", choices) + ", got \"" + v + "\"");
  }

  public boolean bool(String name, boolean fallback) {
    if (!has(name)) return fallback;
    ConfigValue v = value(name);
    if (v.valueType() == ConfigValueType.BOOLEAN) return (Boolean) v.unwrapped();
    if (v.valueType() == ConfigValueType.STRING) {
      String s = (String) v.unwrapped();
      if (s.equals("on") || s.equals("yes") || s.equals("true")) return true;
      if (s.equals("off") || s.equals("no") || s.equals("false")) return false;
    }
    throw new ScenarioException(fileOf(v), line(v), key(name), "expected a boolean (true/false/on/off), got " + describe(v));
  }

  public long integer(String name, long min, long max) {
    ConfigValue v = require(name);
    Object raw = v.unwrapped();
    long n;
    if (v.valueType() == ConfigValueType.NUMBER && (raw instanceof Integer || raw instanceof Long)) {
      n = ((Number) raw).longValue();
    } else if (v.valueType() == ConfigValueType.STRING && ((String) raw).matches("0[xX][0-9a-fA-F]+")) {
      n = Long.parseLong(((String) raw).substring(2), 16);
    } else {
      throw new ScenarioException(fileOf(v), line(v), key(name), "expected an integer, got " + describe(v));
    }
    if (n < min || n > max) {
      throw new ScenarioException(fileOf(v), line(v), key(name), "must be between " + min + " and " + max + ", got " + n);
    }
    return n;
  }

  public long integer(String name, long fallback, long min, long max) {
    return has(name) ? integer(name, min, max) : fallback;
  }

  public double number(String name, double min, double max) {
    ConfigValue v = require(name);
    if (v.valueType() != ConfigValueType.NUMBER) {
      throw new ScenarioException(fileOf(v), line(v), key(name), "expected a number, got " + describe(v));
    }
    double d = ((Number) v.unwrapped()).doubleValue();
    if (Double.isNaN(d) || d < min || d > max) {
      throw new ScenarioException(fileOf(v), line(v), key(name), "must be between " + min + " and " + max + ", got " + d);
    }
    return d;
  }

  public double number(String name, double fallback, double min, double max) {
    return has(name) ? number(name, min, max) : fallback;
  }

  /** The longest duration any scenario key may have (virtual time): a day. */
  public static final long MAX_DURATION_NANOS = 24L * 3600 * 1_000_000_000L;
  static final String MAX_DURATION_TEXT = "24h";

  private static final java.util.regex.Pattern DURATION =
      java.util.regex.Pattern.compile("\\s*(-?[0-9]+(?:\\.[0-9]+)?(?:[eE][0-9]+)?)\\s*([a-zA-Z]*)\\s*");
  private static final Map<String, Long> UNITS = units();

  private static Map<String, Long> units() {
    Map<String, Long> u = new java.util.HashMap<>();
    long[] nanos = {1L, 1_000L, 1_000_000L, 1_000_000_000L, 60_000_000_000L, 3_600_000_000_000L, 86_400_000_000_000L};
    String[][] words = {{"ns", "nano", "nanos", "nanosecond", "nanoseconds"},
        {"us", "micro", "micros", "microsecond", "microseconds"},
        {"ms", "milli", "millis", "millisecond", "milliseconds"}, {"s", "second", "seconds"},
        {"m", "minute", "minutes"}, {"h", "hour", "hours"}, {"d", "day", "days"}};
    for (int i = 0; i < words.length; i++) for (String w : words[i]) u.put(w, nanos[i]);
    return Map.copyOf(u);
  }

  /**
   * A duration such as {@code 10s}, {@code 250ms}, {@code 2h}; returned in nanoseconds. The unit is required (a
   * bare number is refused rather than read as milliseconds) and the value is at most
   * {@link #MAX_DURATION_NANOS}.
   */
  public long duration(String name, long minNanos) {
    ConfigValue v = require(name);
    String text = v.valueType() == ConfigValueType.NUMBER || v.valueType() == ConfigValueType.STRING
        ? String.valueOf(v.unwrapped()) : null;
    java.util.regex.Matcher m = text == null ? null : DURATION.matcher(text);
    if (m == null || !m.matches() || (!m.group(2).isEmpty() && !UNITS.containsKey(m.group(2)))) {
      throw new ScenarioException(fileOf(v), line(v), key(name), "expected a duration such as 10s or 250ms, got "
          + describe(v));
    }
    if (m.group(2).isEmpty()) {
      throw new ScenarioException(fileOf(v), line(v), key(name), "a number without a unit (" + v.render()
          + "): add a unit: ns, us, ms, s, m, h or d (e.g. " + v.render() + "ms)");
    }
    java.math.BigDecimal exact = new java.math.BigDecimal(m.group(1))
        .multiply(java.math.BigDecimal.valueOf(UNITS.get(m.group(2))));
    if (exact.compareTo(java.math.BigDecimal.valueOf(MAX_DURATION_NANOS)) > 0) {
      throw new ScenarioException(fileOf(v), line(v), key(name), "must be at most " + MAX_DURATION_TEXT + ", got "
          + v.render());
    }
    Duration d;
    try {
      // Typesafe's own conversion, as before, so existing scenarios keep their exact values.
      d = object.toConfig().getDuration(quote(name));
    } catch (ConfigException e) {
      throw new ScenarioException(fileOf(v), line(v), key(name), "expected a duration such as 10s or 250ms, got "
          + describe(v));
    }
    long nanos = d.toNanos();
    if (nanos < minNanos) {
      throw new ScenarioException(fileOf(v), line(v), key(name), "must be at least " + minNanos + " ns, got " + v.render());
    }
    return nanos;
  }

  public long duration(String name, long fallback, long minNanos) {
    return has(name) ? duration(name, minNanos) : fallback;
  }

  private static String quote(String name) {
    return "\"" + name + "\"";
  }

  public ScenarioNode child(String name) {
    ConfigValue v = require(name, ConfigValueType.OBJECT, "an object { … }");
    return new ScenarioNode(file, key(name), (ConfigObject) v);
  }

  /** The child object, or an empty node if absent. */
  public ScenarioNode childOrEmpty(String name) {
    if (has(name)) return child(name);
    return new ScenarioNode(file, key(name), com.typesafe.config.ConfigFactory.empty().root());
  }

  /** A list of objects. */
  public List<ScenarioNode> objects(String name) {
    if (!has(name)) return List.of();
    ConfigValue v = require(name, ConfigValueType.LIST, "a list [ … ]");
    List<ScenarioNode> out = new ArrayList<>();
    ConfigList list = (ConfigList) v;
    for (int i = 0; i < list.size(); i++) {
      ConfigValue e = list.get(i);
      if (e.valueType() != ConfigValueType.OBJECT) {
        throw new ScenarioException(fileOf(e), line(e), key(name) + "[" + i + "]", "expected an object { … }, got " + describe(e));
      }
      out.add(new ScenarioNode(file, key(name) + "[" + i + "]", (ConfigObject) e));
    }
    return out;
  }

  /** A list of strings. */
  public List<String> strings(String name) {
    if (!has(name)) return List.of();
    ConfigValue v = require(name, ConfigValueType.LIST, "a list [ … ]");
    List<String> out = new ArrayList<>();
    for (ConfigValue e : (ConfigList) v) {
      if (e.valueType() != ConfigValueType.STRING && e.valueType() != ConfigValueType.NUMBER) {
        throw new ScenarioException(fileOf(e), line(e), key(name), "expected strings, got " + describe(e));
      }
      out.add(String.valueOf(e.unwrapped()));
    }
    return out;
  }

  /** Keys of this object (for maps such as fault probabilities). */
  public Set<String> keys() {
    return new TreeSet<>(object.keySet());
  }

  /** Accepts every key present (for free-form maps whose entries the caller validates). */
  public void allowAll() {
    allowed.addAll(object.keySet());
  }

  /** Fails on the first key that no reader asked for: a typo must not pass silently. */
  public void rejectUnknown() {
    for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
      if (!allowed.contains(e.getKey())) {
        throw new ScenarioException(fileOf(e.getValue()), line(e.getValue()), key(e.getKey()), "unknown key"
            + (allowed.isEmpty() ? "" : " (known here: " + String.join(", ", new TreeSet<>(allowed)) + ")"));
      }
    }
  }

  Config config() {
    return object.toConfig();
  }
}
