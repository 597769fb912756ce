package dev.devemu.scenario;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
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

  public static Scenario load(Path path) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ScenarioException(path.toString(), 0, "", "no such file");
    } catch (IOException e) {
      throw new ScenarioException(path.toString(), 0, "", "cannot read: " + e.getMessage());
    }
    return parse(path.toString(), text);
  }

  /** Parses scenario text; {@code file} is the name used in messages. */
  public static Scenario parse(String file, String text) {
    Config config;
    try {
      config = ConfigFactory.parseString(text, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
          .setOriginDescription(file).setAllowMissing(false)).resolve();
    } catch (ConfigException e) {
      int line = e.origin() == null ? 0 : e.origin().lineNumber();
      String msg = e.getMessage();
      // Typesafe prefixes its own "file: line: "; keep only the explanation.
      int cut = msg.indexOf(": ", msg.indexOf(": ") + 1);
      if (msg.startsWith(file) && cut > 0) msg = msg.substring(cut + 2);
      throw new ScenarioException(file, line, "", "syntax error: " + msg);
    }
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
      Variant variant = Variant.parse(d.oneOf("variant", "safe", "raw", "safe"));
      d.rejectUnknown();
      if (!loaded.add(dname)) throw d.error("name", "driver " + dname + " is loaded twice");
      DriverKind driverKind = Catalog.driver(dname);
      DriverEntry<?, ?> entry = driverKind.entry(variant);
      if (devices.stream().flatMap(x -> x.enumerated().stream()).noneMatch(entry::takes)) {
        // An error, not a warning: the driver would never bind, and a campaign would report nothing about it.
        throw d.error("name", "no device of this scenario matches the ID table of driver " + dname + " (devices: "
            + (devices.isEmpty() ? "none" : String.join(", ", devices.stream().map(x -> x.type() + " in "
            + x.slot() + x.enumerated().stream().map(e -> " " + e.modalias()).reduce("", String::concat)).toList()))
            + ")");
      }
      drivers.add(new Scenario.DriverSpec(dname, variant, lineOf(d)));
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
    root.rejectUnknown();
    return new Scenario(file, name, description, duration, new Scenario.Machine(cpus, iommu, affinity, lookahead,
        detection, fairness), kernel, List.copyOf(devices), List.copyOf(drivers), faults, List.copyOf(workload), text);
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
