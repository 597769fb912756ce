package dev.devemu.scenario;

import dev.devemu.sim.domain.DomainPlan;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import dev.devemu.fault.FaultPoints;
import dev.devemu.fault.Moments;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.KernelConfig;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.sim.VirtualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a scenario file strictly. Syntax errors, unknown keys, wrong types, negative rates and impossible
 * topologies all raise {@link ScenarioException} with {@code file:line: key: what is wrong}. The keys are
 * documented in {@code docs/scenarios.md}.
 */
public final class ScenarioLoader {
  private ScenarioLoader() {}

  /**
   * The most text a scenario may have, included files counted: a scenario is a few KiB; this bounds what a
   * request or a cluster message can make a node parse. {@code devemu.http.max-scenario-bytes} may set a lower
   * limit for the HTTP door.
   */
  public static final int MAX_TEXT_BYTES = 1 << 20;

  /**
   * Reads a scenario file. {@code include "other.conf"} (or {@code include file("other.conf")}) works relative to
   * the including file; a missing file and a cycle are errors that name the files. {@code url(…)} and
   * {@code classpath(…)} includes are refused. The returned scenario's {@link Scenario#source()} is
   * self-contained: a file without includes keeps its own text, one with includes gets the merged text, so that
   * a cluster node or a replay reads the same scenario without the other files.
   */
  public static Scenario load(Path path) {
    String text = readFile(path.toString(), path, 0);
    String file = path.toString();
    List<IncludeScan.Include> includes = IncludeScan.scan(text);
    ConfigObject root;
    try {
      root = ConfigFactory.parseString(text, options(file, new FileIncluder(file, path.toAbsolutePath().normalize(),
          List.of(path.toAbsolutePath().normalize()), includes, new int[] {text.getBytes(StandardCharsets.UTF_8).length})))
          .root();
    } catch (ConfigException e) {
      throw syntaxError(file, e);
    }
    Config config = resolve(file, root.toConfig());
    String source = includes.isEmpty() ? text
        : "# " + file + " with its includes merged by devemu\n" + config.root().render(ConfigRenderOptions.defaults()
            .setOriginComments(false).setComments(false).setJson(false).setFormatted(true));
    return build(file, config, source);
  }

  /**
   * Parses scenario text as pure data; {@code file} is the name used in messages. This is how everything that
   * comes over the network (the HTTP door, cluster messages) and every saved source (traces, reports) is read:
   * no {@code include} of any kind (refused with its line), no environment variables or system properties
   * ({@code ${X}} may only name a key of the scenario itself), at most {@link #MAX_TEXT_BYTES}.
   */
  public static Scenario parse(String file, String text) {
    checkSize(file, text.getBytes(StandardCharsets.UTF_8).length, MAX_TEXT_BYTES);
    List<IncludeScan.Include> includes = IncludeScan.scan(text);
    if (!includes.isEmpty()) {
      IncludeScan.Include first = includes.get(0);
      throw new ScenarioException(file, first.line(), includeKey(first), "include is not allowed here (`"
          + first.statement() + "`): a scenario sent to a cluster or read back from a trace is data and must be "
          + "self-contained (./devemu sends a scenario file with its includes merged)");
    }
    Config config;
    try {
      config = ConfigFactory.parseString(text, options(file, new RefusingIncluder(file))).resolve(
          ConfigResolveOptions.noSystem());
    } catch (ConfigException.UnresolvedSubstitution e) {
      throw unresolved(file, e);
    } catch (ConfigException e) {
      throw syntaxError(file, e);
    }
    return build(file, config, text);
  }

  /** Refuses text longer than {@code maxBytes}, naming both sizes. */
  public static void checkSize(String file, long bytes, long maxBytes) {
    if (bytes > maxBytes) {
      throw new ScenarioException(file, 0, "", "the scenario is " + bytes + " bytes; at most " + maxBytes
          + " bytes are accepted");
    }
  }

  private static ConfigParseOptions options(String file, ConfigIncluder includer) {
    return ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setOriginDescription(file)
        .setAllowMissing(false).setIncluder(includer);
  }

  private static Config resolve(String file, Config config) {
    try {
      // noSystem: a scenario never reads the environment (a secret must not become a value, or an error message).
      return config.resolve(ConfigResolveOptions.noSystem());
    } catch (ConfigException.UnresolvedSubstitution e) {
      throw unresolved(file, e);
    } catch (ConfigException e) {
      throw syntaxError(file, e);
    }
  }

  private static ScenarioException unresolved(String file, ConfigException e) {
    int line = e.origin() == null ? 0 : e.origin().lineNumber();
    String msg = e.getMessage();
    int at = msg.indexOf("${");
    String what = at < 0 ? "a substitution" : msg.substring(at).strip();
    // Typesafe's message names only the expression as written, never a value; keep just that.
    int close = what.indexOf('}');
    if (close > 0) what = what.substring(0, close + 1);
    return new ScenarioException(file, line, "", what + " does not name a key of this scenario (scenarios never "
        + "read environment variables or system properties)");
  }

  private static ScenarioException syntaxError(String file, ConfigException e) {
    int line = e.origin() == null ? 0 : e.origin().lineNumber();
    String msg = e.getMessage();
    // Typesafe prefixes its own "file: line: "; keep only the explanation.
    int cut = msg.indexOf(": ", msg.indexOf(": ") + 1);
    if (msg.startsWith(file) && cut > 0) msg = msg.substring(cut + 2);
    return new ScenarioException(file, line, "", "syntax error: " + msg);
  }

  private static String includeKey(IncludeScan.Include inc) {
    return inc.key().isEmpty() ? "include" : inc.key() + ".include";
  }

  private static String readFile(String name, Path path, int sizeSoFar) {
    try {
      checkSize(name, sizeSoFar + Files.size(path), MAX_TEXT_BYTES);
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ScenarioException(name, 0, "", "no such file");
    } catch (IOException e) {
      throw new ScenarioException(name, 0, "", "cannot read: " + e.getMessage());
    }
  }

  /** Refuses every include (the scan refuses them first; this is the second lock on the same door). */
  private record RefusingIncluder(String file) implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL,
      ConfigIncluderClasspath {
    @Override
    public ConfigIncluder withFallback(ConfigIncluder fallback) {
      return this; // never Typesafe's default, which would read files, URLs and resources
    }

    private ConfigObject refuse(String what) {
      throw new ScenarioException(file, 0, "include", "include is not allowed here (" + what + ")");
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
      return refuse("\"" + what + "\"");
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, java.io.File what) {
      return refuse("file(...)");
    }

    @Override
    public ConfigObject includeURL(ConfigIncludeContext context, java.net.URL what) {
      return refuse("url(...)");
    }

    @Override
    public ConfigObject includeResources(ConfigIncludeContext context, String what) {
      return refuse("classpath(...)");
    }
  }

  /**
   * Follows {@code include "name"} and {@code include file("name")} relative to the including file; refuses
   * URLs and class-path resources. Typesafe calls it once per include in the order of the text, which is how the
   * n-th call finds its line in the scan.
   *
   * @param chain the files being included, outermost first: a target already in it is a cycle
   * @param bytes text read so far, all files together
   */
  private static final class FileIncluder implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL,
      ConfigIncluderClasspath {
    private final String name;
    private final Path self;
    private final List<Path> chain;
    private final List<IncludeScan.Include> includes;
    private final int[] bytes;
    private int calls;

    FileIncluder(String name, Path self, List<Path> chain, List<IncludeScan.Include> includes, int[] bytes) {
      this.name = name;
      this.self = self;
      this.chain = chain;
      this.includes = includes;
      this.bytes = bytes;
    }

    @Override
    public ConfigIncluder withFallback(ConfigIncluder fallback) {
      return this;
    }

    private IncludeScan.Include next() {
      int k = calls++;
      return k < includes.size() ? includes.get(k) : new IncludeScan.Include(0, "", "include");
    }

    private ScenarioException error(IncludeScan.Include at, String message) {
      return new ScenarioException(name, at.line(), includeKey(at), message);
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
      return includeRelative(next(), what);
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, java.io.File what) {
      return includeRelative(next(), what.getPath());
    }

    @Override
    public ConfigObject includeURL(ConfigIncludeContext context, java.net.URL what) {
      throw error(next(), "include url(...) is not allowed: a scenario includes files beside it, never a URL");
    }

    @Override
    public ConfigObject includeResources(ConfigIncludeContext context, String what) {
      throw error(next(), "include classpath(...) is not allowed: a scenario includes files beside it "
          + "(include \"other.conf\")");
    }

    private ConfigObject includeRelative(IncludeScan.Include at, String what) {
      Path target = self.resolveSibling(what).normalize();
      Path shown = Path.of(name).resolveSibling(what).normalize();
      if (chain.contains(target)) {
        throw error(at, "include \"" + what + "\" makes a cycle: " + name + " includes " + shown + ", which "
            + (target.equals(self) ? "is the same file" : "is already being read (it includes " + name
            + (chain.indexOf(target) == chain.size() - 2 ? "" : " through other files") + ")"));
      }
      if (!Files.isRegularFile(target)) {
        throw error(at, "include \"" + what + "\": no such file " + shown + " (includes are relative to the "
            + "including file)");
      }
      String text = readFile(shown.toString(), target, bytes[0]);
      bytes[0] += text.getBytes(StandardCharsets.UTF_8).length;
      List<Path> longer = new ArrayList<>(chain);
      longer.add(target);
      try {
        return ConfigFactory.parseString(text, options(shown.toString(),
            new FileIncluder(shown.toString(), target, List.copyOf(longer), IncludeScan.scan(text), bytes))).root();
      } catch (ConfigException e) {
        throw syntaxError(shown.toString(), e);
      }
    }
  }

  private static Scenario build(String file, Config config, String text) {
    ScenarioNode root = new ScenarioNode(file, "", config.root());

    ScenarioNode meta = root.child("scenario");
    String name = meta.string("name");
    String description = meta.string("description", "");
    long duration = meta.duration("duration", VirtualClock.MILLISECOND);
    Expectations.read(meta);
    meta.rejectUnknown();

    ScenarioNode m = root.childOrEmpty("machine");
    int cpus = (int) m.integer("cpus", 2, 1, 64);
    boolean iommu = m.bool("iommu", false);
    String aff = m.oneOf("irq-affinity", "round-robin", "round-robin", "first-cpu", "random");
    Irqs.Affinity affinity = switch (aff) {
      case "first-cpu" -> Irqs.Affinity.FIRST_CPU;
      case "random" -> Irqs.Affinity.RANDOM;
      default -> Irqs.Affinity.ROUND_ROBIN;
    };
    long lookahead = m.duration("lookahead", 20 * VirtualClock.MICROSECOND, 0);
    long detection = m.duration("hotplug-detection", VirtualClock.MILLISECOND, 0);
    long fairness = m.duration("fairness", dev.devemu.sim.SimRun.DEFAULT_FAIRNESS_NANOS, 1);
    m.rejectUnknown();

    ScenarioNode k = root.childOrEmpty("kernel");
    KernelConfig kernel = new KernelConfig(
        k.bool("panic-on-oops", KernelConfig.DEFAULT.panicOnOops()),
        k.duration("hung-task-timeout", KernelConfig.DEFAULT.hungTaskTimeoutNanos(), 0),
        k.duration("soft-lockup-threshold", KernelConfig.DEFAULT.softLockupNanos(), 0),
        (int) k.integer("kcsan-window", KernelConfig.DEFAULT.kcsanWindowChoices(), 1, 1_000_000));
    k.rejectUnknown();

    List<DeviceSpec> devices = new ArrayList<>();
    Map<String, DeviceSpec> slots = new LinkedHashMap<>();
    for (ScenarioNode d : root.objects("devices")) {
      String type = d.string("type");
      DeviceKind kind = Catalog.device(type);
      if (kind == null) {
        throw d.error("type", "unknown device type \"" + type + "\" (known: "
            + String.join(", ", Catalog.devices().stream().map(DeviceKind::type).toList()) + ")");
      }
      int line = lineOf(d);
      DeviceSpec spec = kind.parse(d, line);
      d.rejectUnknown();
      if (slots.putIfAbsent(spec.slot(), spec) != null) {
        throw d.error("slot", "slot " + spec.slot() + " is used by two devices (the other is on line "
            + slots.get(spec.slot()).line() + ")");
      }
      devices.add(spec);
    }

    List<Scenario.DriverSpec> drivers = new ArrayList<>();
    Set<String> loaded = new HashSet<>();
    for (ScenarioNode d : root.objects("drivers")) {
      String dname = d.string("name");
      if (Catalog.driver(dname) == null) {
        throw d.error("name", "unknown driver \"" + dname + "\" (known: "
            + String.join(", ", Catalog.drivers().stream().map(DriverKind::name).toList()) + ")");
      }
      Variant variant = Variant.parse(d.oneOf("variant", Variant.SAFE.toString(), Variant.words().toArray(String[]::new)));
      List<int[]> newIds = new ArrayList<>();
      for (String id : d.strings("new-id")) newIds.add(newId(d, id));
      d.rejectUnknown();
      if (!loaded.add(dname)) throw d.error("name", "driver " + dname + " is loaded twice");
      Scenario.DriverSpec driverSpec = new Scenario.DriverSpec(dname, variant, lineOf(d), List.copyOf(newIds));
      DriverEntry<?, ?> entry;
      try {
        entry = driverSpec.entry();
      } catch (UnsupportedOperationException e) {
        throw d.error("new-id", e.getMessage());
      }
      if (devices.stream().flatMap(x -> x.enumerated().stream()).noneMatch(entry::takes)) {
        // An error, not a warning: the driver would never bind, and a campaign would report nothing about it.
        throw d.error("name", "no device of this scenario matches the ID table of driver " + dname + " (devices: "
            + (devices.isEmpty() ? "none" : String.join(", ", devices.stream().map(x -> x.type() + " in "
            + x.slot() + x.enumerated().stream().map(e -> " " + e.modalias()).reduce("", String::concat)).toList()))
            + ")");
      }
      drivers.add(driverSpec);
    }

    List<WorkloadSpec> workload = new ArrayList<>();
    for (ScenarioNode w : root.objects("workload")) {
      String kindName = w.string("kind");
      WorkloadKind kind = Catalog.workload(kindName);
      if (kind == null) {
        throw w.error("kind", "unknown workload kind \"" + kindName + "\" (known: " + String.join(", ", Catalog.workloads().stream().map(WorkloadKind::kind).toList()) + ")");
      }
      workload.add(kind.parse(w, lineOf(w)));
      w.rejectUnknown();
    }

    FaultPlan faults = faults(root.childOrEmpty("faults"), slots, duration);
    DomainPlan domains = ScenarioDomains.read(root.childOrEmpty("domains"), slots, faults);
    root.rejectUnknown();
    return new Scenario(file, name, description, duration, new Scenario.Machine(cpus, iommu, affinity, lookahead,
        detection, fairness), kernel, List.copyOf(devices), List.copyOf(drivers), faults, List.copyOf(workload), text,
        domains);
  }

  /** A {@code new_id} entry: {@code "8086:1234"}, vendor and device (or product) in hex. */
  private static int[] newId(ScenarioNode d, String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9a-fA-F]{4}):([0-9a-fA-F]{4})").matcher(text);
    if (!m.matches()) throw d.error("new-id", "expected \"vendor:device\" in hex, e.g. \"8086:1234\", not \"" + text + "\"");
    return new int[] {Integer.parseInt(m.group(1), 16), Integer.parseInt(m.group(2), 16)};
  }

  private static int lineOf(ScenarioNode n) {
    return n.error("").line();
  }

  private static FaultPlan faults(ScenarioNode f, Map<String, DeviceSpec> slots, long duration) {
    Map<String, Double> probabilities = new LinkedHashMap<>();
    ScenarioNode p = f.childOrEmpty("probability");
    for (String point : p.keys()) {
      if (!FaultPoints.known(point)) {
        throw p.error(point, "unknown fault point (known: " + String.join(", ", FaultPoints.all().keySet()) + ")");
      }
      probabilities.put(point, p.number(point, 0.0, 1.0));
    }
    p.rejectUnknown();

    List<FaultPlan.Event> events = new ArrayList<>();
    for (ScenarioNode e : f.objects("events")) {
      FaultPlan.Action action = action(e);
      Moments.Moment when = when(e);
      long at = when == null ? e.duration("at", 0) : e.duration("at", 0, 0);
      if (at > duration) {
        throw e.error("at", "is after the end of the run (" + duration / VirtualClock.MILLISECOND + " ms)");
      }
      String slot = slot(e, action, when, slots);
      FaultPlan.Params params = params(e, action);
      long restore = restoreAfter(e, action);
      e.rejectUnknown();
      events.add(new FaultPlan.Event(at, when, action, slot, params, restore, lineOf(e)));
    }

    List<FaultPlan.Recurring> recurring = new ArrayList<>();
    for (ScenarioNode r : f.objects("recurring")) {
      FaultPlan.Action action = action(r);
      if (action == FaultPlan.Action.LOSE_DOMAIN) {
        throw r.error("action", "a lost time domain does not come back: lose-domain is an event, not recurring");
      }
      Moments.Moment when = when(r);
      String slot = slot(r, action, when, slots);
      long mean = r.duration("mean-interval", VirtualClock.MILLISECOND);
      FaultPlan.Params params = params(r, action);
      long restore = restoreAfter(r, action);
      r.rejectUnknown();
      recurring.add(new FaultPlan.Recurring(action, slot, mean, restore, when, params, lineOf(r)));
    }
    f.rejectUnknown();
    return new FaultPlan(Map.copyOf(probabilities), List.copyOf(events), List.copyOf(recurring));
  }

  private static FaultPlan.Action action(ScenarioNode n) {
    String word = n.string("action");
    FaultPlan.Action a = FaultPlan.Action.parse(word);
    if (a == null) throw n.error("action", "unknown action \"" + word + "\" (known: " + FaultPlan.Action.words() + ")");
    return a;
  }

  private static Moments.Moment when(ScenarioNode n) {
    if (!n.has("when")) return null;
    String word = n.string("when");
    Moments.Moment m = Moments.Moment.parse(word);
    if (m == null) {
      throw n.error("when", "unknown moment \"" + word + "\" (known: " + String.join(", ",
          java.util.Arrays.stream(Moments.Moment.values()).map(Moments.Moment::word).toList()) + ")");
    }
    return m;
  }

  /** The slot an action acts on: required for device actions and for {@code when}; it must hold a device. */
  private static String slot(ScenarioNode n, FaultPlan.Action action, Moments.Moment when, Map<String, DeviceSpec> slots) {
    if (action == FaultPlan.Action.LOSE_DOMAIN) {
      if (n.has("slot")) throw n.error("slot", "lose-domain acts on a time domain: give domain = <name>, not a slot");
      if (when != null) throw n.error("when", "lose-domain happens at a time (at = ...), not at a moment");
      return null;
    }
    if (!n.has("slot")) {
      if (action.needsSlot()) n.string("slot"); // throws "missing (required)"
      if (when != null) throw n.error("slot", "missing (required with when = " + when.word() + ")");
      return null;
    }
    String slot = n.string("slot");
    DeviceSpec device = slots.get(slot);
    if (device == null) {
      throw n.error("slot", "no device is in slot " + slot + (slots.isEmpty() ? "" : " (slots: "
          + String.join(", ", slots.keySet()) + ")"));
    }
    if (!device.supports(action)) {
      throw n.error("action", "a " + device.type() + " device cannot " + action.word() + " (slot " + slot + ")");
    }
    if (when != null && !device.moments().contains(when)) {
      throw n.error("when", "the " + device.type() + " device in slot " + slot + " never has moment " + when.word()
          + " (it has: " + String.join(", ", device.moments().stream().map(Moments.Moment::word).toList()) + ")");
    }
    return slot;
  }

  /** The keys an action takes besides its slot; any other key is left for rejectUnknown to refuse. */
  private static FaultPlan.Params params(ScenarioNode n, FaultPlan.Action action) {
    return switch (action) {
      case IRQ_STORM -> new FaultPlan.Params((int) n.integer("count", 1000, 1, 10_000_000),
          positive(n, "rate", 100_000, 1e9), null);
      case FAIL -> {
        String point = n.string("point");
        if (!FaultPoints.known(point)) {
          throw n.error("point", "unknown fault point (known: " + String.join(", ", FaultPoints.all().keySet()) + ")");
        }
        yield new FaultPlan.Params((int) n.integer("count", 1, 1, 1_000_000), 0, point);
      }
      case LOSE_DOMAIN -> new FaultPlan.Params(1, 0, null, n.string("domain")); // checked with the domains
      default -> FaultPlan.Params.NONE;
    };
  }

  private static double positive(ScenarioNode n, String name, double fallback, double max) {
    if (!n.has(name)) return fallback;
    double v = n.number(name, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    if (v <= 0) throw n.error(name, "must be positive, got " + v);
    if (v > max) throw n.error(name, "must be at most " + max + ", got " + v);
    return v;
  }

  private static long restoreAfter(ScenarioNode n, FaultPlan.Action action) {
    long restore = n.duration("restore-after", 0, 0);
    if (restore > 0 && action.inverse() == null) {
      throw n.error("restore-after", "nothing undoes " + action.word() + " (restore-after works with unplug, "
          + "surprise-unplug, link-down and stall)");
    }
    return restore;
  }
}
