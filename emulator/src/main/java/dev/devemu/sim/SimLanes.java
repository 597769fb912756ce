package dev.devemu.sim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Registry of lanes, one per simulation dispatcher of each actor system. Systems are told apart by name and by
 * {@code devemu.sim.host-id} (unique per {@link SimHost}): two systems of the same name may live in one JVM, and
 * must not share lanes.
 */
public final class SimLanes {
  /** Config path prefix of the lane dispatchers: {@code devemu.sim.lane-0}, {@code devemu.sim.lane-1}, … */
  public static final String DISPATCHER_PREFIX = "devemu.sim.lane-";
  static final String HOST_ID = "devemu.sim.host-id";

  private static final ConcurrentHashMap<String, SimLane> LANES = new ConcurrentHashMap<>();
  private static final AtomicLong HOSTS = new AtomicLong();

  private SimLanes() {}

  /** The registry key of a system's lanes: its name and its host id. */
  static String systemKey(String name, Config config) {
    return name + "#" + (config.hasPath(HOST_ID) ? config.getString(HOST_ID) : "");
  }

  static String systemKey(ActorSystem<?> system) {
    return systemKey(system.name(), system.settings().config());
  }

  static SimLane lane(String systemKey, String dispatcherId) {
    return LANES.computeIfAbsent(systemKey + "/" + dispatcherId, SimLane::new);
  }

  /** The lane behind dispatcher {@code devemu.sim.lane-<index>} of the given system. */
  public static SimLane lane(ActorSystem<?> system, int index) {
    return lane(systemKey(system), dispatcherId(index));
  }

  public static String dispatcherId(int index) {
    return DISPATCHER_PREFIX + index;
  }

  /** Most time domains one testbed may have besides its guest (each needs a dispatcher of its own). */
  public static final int MAX_DOMAINS = 15;

  /**
   * The dispatcher of time domain {@code domain} (1..{@link #MAX_DOMAINS}; 0 is the guest, on the lane itself)
   * of a testbed run on lane {@code index}: {@code devemu.sim.lane-<index>-d<domain>}. Declared for every lane,
   * built by Pekko only when a domain scenario uses it.
   */
  public static String domainDispatcherId(int index, int domain) {
    return domain == 0 ? dispatcherId(index) : DISPATCHER_PREFIX + index + "-d" + domain;
  }

  /** The lane behind a domain dispatcher of the given system. */
  public static SimLane domainLane(ActorSystem<?> system, int index, int domain) {
    return lane(systemKey(system), domainDispatcherId(index, domain));
  }

  /** Config declaring {@code count} lane dispatchers; fall back to it when creating the actor system. */
  public static Config dispatcherConfig(int count) {
    StringBuilder sb = new StringBuilder();
    sb.append(HOST_ID).append(" = \"").append(HOSTS.incrementAndGet()).append("\"\n");
    for (int d = 0; d < count * (MAX_DOMAINS + 1); d++) {
      int i = d / (MAX_DOMAINS + 1);
      sb.append(domainDispatcherId(i, d % (MAX_DOMAINS + 1))).append(" {\n")
          .append("  type = \"").append(SimDispatcherConfigurator.class.getName()).append("\"\n")
          .append("  executor = \"").append(SimExecutorConfigurator.class.getName()).append("\"\n")
          .append("  throughput = 1\n")
          .append("  shutdown-timeout = 1h\n")
          .append("}\n");
    }
    return ConfigFactory.parseString(sb.toString());
  }

  /** Runs every queued mailbox of every idle lane of the system; returns how many ran. */
  static int drainForShutdown(ActorSystem<?> system) {
    int ran = 0;
    for (var e : LANES.entrySet()) {
      if (e.getKey().startsWith(systemKey(system) + "/")) ran += e.getValue().drainForShutdown();
    }
    return ran;
  }

  /** Forgets the lanes of a terminated system. */
  public static void release(ActorSystem<?> system) {
    String key = systemKey(system);
    LANES.keySet().removeIf(k -> k.startsWith(key + "/"));
  }
}
