package dev.devemu.sim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;

/** Registry of lanes, one per simulation dispatcher of each actor system. */
public final class SimLanes {
  /** Config path prefix of the lane dispatchers: {@code devemu.sim.lane-0}, {@code devemu.sim.lane-1}, … */
  public static final String DISPATCHER_PREFIX = "devemu.sim.lane-";

  private static final ConcurrentHashMap<String, SimLane> LANES = new ConcurrentHashMap<>();

  private SimLanes() {}

  static SimLane lane(String systemName, String dispatcherId) {
    return LANES.computeIfAbsent(systemName + "/" + dispatcherId, SimLane::new);
  }

  /** The lane behind dispatcher {@code devemu.sim.lane-<index>} of the given system. */
  public static SimLane lane(ActorSystem<?> system, int index) {
    return lane(system.name(), dispatcherId(index));
  }

  public static String dispatcherId(int index) {
    return DISPATCHER_PREFIX + index;
  }

  /** Config declaring {@code count} lane dispatchers; fall back to it when creating the actor system. */
  public static Config dispatcherConfig(int count) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append(dispatcherId(i)).append(" {\n")
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
      if (e.getKey().startsWith(system.name() + "/")) ran += e.getValue().drainForShutdown();
    }
    return ran;
  }

  /** Forgets the lanes of a terminated system. */
  public static void release(ActorSystem<?> system) {
    LANES.keySet().removeIf(k -> k.startsWith(system.name() + "/"));
  }
}
