package dev.devemu.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code run-info.json}: when, where and how fast a campaign ran — everything {@code summary.json} must not hold.
 * One entry per session (the first run and every {@code --resume}).
 */
public final class RunInfo {
  public static final String FILE = "run-info.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RunInfo() {}

  /**
   * @param executed runs executed in this session
   * @param reused runs found in results.jsonl and not run again
   * @param deviceHours device-hours the runs of this session simulated
   */
  public record Session(Instant started, Instant finished, String backend, int workers, long executed, long reused,
      double deviceHours, String command) {}

  public static void append(Path dir, Session s) throws IOException {
    Path file = dir.resolve(FILE);
    ObjectNode root;
    if (Files.exists(file)) {
      JsonNode old = JSON.readTree(file.toFile());
      root = old instanceof ObjectNode o ? o : JSON.createObjectNode();
    } else {
      root = JSON.createObjectNode();
    }
    ArrayNode sessions = root.has("sessions") && root.get("sessions").isArray() ? (ArrayNode) root.get("sessions")
        : root.putArray("sessions");
    ObjectNode n = sessions.addObject();
    double wall = (s.finished().toEpochMilli() - s.started().toEpochMilli()) / 1000.0;
    n.put("started", s.started().toString());
    n.put("finished", s.finished().toString());
    n.put("wall_seconds", wall);
    n.put("host", hostname());
    n.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    n.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
    n.put("cores", Runtime.getRuntime().availableProcessors());
    n.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
    n.put("backend", s.backend());
    n.put("workers", s.workers());
    n.put("runs_executed", s.executed());
    n.put("runs_reused", s.reused());
    n.put("device_hours_simulated", s.deviceHours());
    n.put("runs_per_second", wall > 0 ? s.executed() / wall : 0);
    n.put("device_hours_per_second", wall > 0 ? s.deviceHours() / wall : 0);
    n.put("command", s.command());
    JSON.writeValue(file.toFile(), root);
  }

  private static String hostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) return env;
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
