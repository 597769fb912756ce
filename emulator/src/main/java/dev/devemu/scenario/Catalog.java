package dev.devemu.scenario;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Every bus, device type, driver and workload kind a scenario can name. Plug-ins register themselves: each is a
 * class listed in {@code META-INF/services/dev.devemu.scenario.BusKind} (or {@code DeviceKind}, {@code DriverKind},
 * {@code WorkloadKind}) of any jar on the class path — a test's own drivers sit in the test resources' file — and
 * nothing here is edited to add one. Read once, then never changed.
 */
public final class Catalog {
  private static final List<BusKind> BUSES = ServiceLoader.load(BusKind.class).stream().map(ServiceLoader.Provider::get)
      .sorted(java.util.Comparator.comparingInt(BusKind::order).thenComparing(BusKind::name)).toList();
  private static final Map<String, DeviceKind> DEVICES = byName(DeviceKind.class, DeviceKind::type);
  private static final Map<String, DriverKind> DRIVERS = drivers(byName(DriverKind.class, DriverKind::name));
  private static final Map<String, WorkloadKind> WORKLOADS = byName(WorkloadKind.class, WorkloadKind::kind);

  private Catalog() {}

  private static <T> Map<String, T> byName(Class<T> type, Function<T, String> name) {
    Map<String, T> out = new TreeMap<>();
    for (T kind : ServiceLoader.load(type)) {
      T other = out.putIfAbsent(name.apply(kind), kind);
      if (other != null && other.getClass() != kind.getClass()) {
        throw new IllegalStateException(type.getSimpleName() + " \"" + name.apply(kind) + "\" is registered twice: by "
            + other.getClass().getName() + " and " + kind.getClass().getName());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** The drivers listed on their own plus the members of every {@link DriverFamily}; a name may be used once. */
  private static Map<String, DriverKind> drivers(Map<String, DriverKind> single) {
    Map<String, DriverKind> out = new TreeMap<>(single);
    for (DriverFamily family : ServiceLoader.load(DriverFamily.class)) {
      for (DriverKind kind : family.drivers()) {
        if (out.putIfAbsent(kind.name(), kind) != null) {
          throw new IllegalStateException("DriverKind \"" + kind.name() + "\" is registered twice (again by "
              + family.getClass().getName() + ")");
        }
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** The buses, in the order a testbed starts them. */
  public static List<BusKind> buses() {
    return BUSES;
  }

  public static DeviceKind device(String type) {
    return DEVICES.get(type);
  }

  public static DriverKind driver(String name) {
    return DRIVERS.get(name);
  }

  public static WorkloadKind workload(String kind) {
    return WORKLOADS.get(kind);
  }

  public static Collection<DeviceKind> devices() {
    return DEVICES.values();
  }

  public static Collection<DriverKind> drivers() {
    return DRIVERS.values();
  }

  public static Collection<WorkloadKind> workloads() {
    return WORKLOADS.values();
  }
}
