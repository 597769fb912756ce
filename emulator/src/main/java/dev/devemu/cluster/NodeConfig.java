package dev.devemu.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration of node K of a deployment: {@code devemu-cluster.conf} (defaults), then the deployment file
 * from {@code cluster-config/}, then command-line overrides, then what follows from node K's entry (its addresses,
 * the seed nodes, the journal's path). System properties ({@code -Dpekko...}) win over everything.
 */
public final class NodeConfig {
  /** Command-line overrides; null keeps the deployment's value. */
  public record Overrides(String host, Integer port, Integer httpPort, Path dataDir, Integer lanes) {
    public static Overrides none() {
      return new Overrides(null, null, null, null, null);
    }
  }

  /** What a node needs to know about itself. */
  public record Node(int number, String host, int port, String httpHost, int httpPort, List<String> roles,
      int lanes, Path dataDir) {
    public boolean worker() {
      return roles.contains("worker");
    }
  }

  private final Config config;
  private final Node node;

  private NodeConfig(Config config, Node node) {
    this.config = config;
    this.node = node;
  }

  public Config config() {
    return config;
  }

  public Node node() {
    return node;
  }

  /**
   * Loads node {@code number} (1-based) of the deployment in {@code deploymentFile} (null: the single-node
   * default).
   *
   * @throws IllegalArgumentException for a missing file, a bad value or a node number out of range (bad input)
   */
  public static NodeConfig load(Path deploymentFile, int number, Overrides o) {
    return load(deploymentFile, number, o, ConfigFactory.empty());
  }

  /**
   * Like {@link #load(Path, int, Overrides)}, with {@code extra} layered over the deployment file (below the
   * command-line overrides and system properties): what an embedded node changes in the defaults.
   */
  public static NodeConfig load(Path deploymentFile, int number, Overrides o, Config extra) {
    Config file = ConfigFactory.empty();
    if (deploymentFile != null) {
      if (!Files.isRegularFile(deploymentFile)) throw new IllegalArgumentException(deploymentFile + ": no such file");
      try {
        file = ConfigFactory.parseFile(deploymentFile.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
      } catch (ConfigException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
    Config defaults = ConfigFactory.parseResources(NodeConfig.class.getClassLoader(), "devemu-cluster.conf");
    Map<String, Object> cli = new LinkedHashMap<>();
    if (o.dataDir() != null) cli.put("devemu.node.data-dir", o.dataDir().toString());
    if (o.lanes() != null) cli.put("devemu.node.lanes", o.lanes());
    Config layers = ConfigFactory.systemProperties().withFallback(ConfigFactory.parseMap(cli)).withFallback(extra)
        .withFallback(file).withFallback(defaults);
    try {
      Config partial = layers.resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true));
      List<? extends Config> nodes = partial.getConfigList("devemu.deployment.nodes");
      if (number < 1 || number > nodes.size()) {
        throw new IllegalArgumentException("--node " + number + ": the deployment "
            + partial.getString("devemu.deployment.name") + " has nodes 1.." + nodes.size());
      }
      Config entry = nodes.get(number - 1);
      String host = o.host() != null ? o.host() : entry.getString("host");
      int port = o.port() != null ? o.port() : entry.getInt("port");
      String httpHost = entry.hasPath("http-host") ? entry.getString("http-host") : "127.0.0.1";
      int httpPort = o.httpPort() != null ? o.httpPort() : entry.getInt("http-port");
      List<String> roles = entry.hasPath("roles") ? entry.getStringList("roles") : List.of("worker", "coordinator");
      int lanes = partial.getInt("devemu.node.lanes");
      if (lanes <= 0) lanes = Runtime.getRuntime().availableProcessors();
      Path dataDir = Path.of(partial.getString("devemu.node.data-dir")).toAbsolutePath().normalize();

      Map<String, Object> derived = new LinkedHashMap<>();
      derived.put("pekko.remote.artery.canonical.hostname", host);
      derived.put("pekko.remote.artery.canonical.port", port);
      derived.put("pekko.management.http.hostname", httpHost);
      derived.put("pekko.management.http.port", httpPort);
      derived.put("pekko.cluster.roles", roles);
      derived.put("devemu.node.journal-path", dataDir.resolve("journal").toString());
      if (partial.getString("devemu.deployment.discovery").equals("seed-nodes")) {
        List<String> seeds = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
          Config n = nodes.get(i);
          // This node's own entry may have been overridden on the command line.
          String h = i == number - 1 ? host : n.getString("host");
          int p = i == number - 1 ? port : n.getInt("port");
          seeds.add("pekko://devemu@" + h + ":" + p);
        }
        derived.put("pekko.cluster.seed-nodes", seeds);
      }
      Config full = ConfigFactory.systemProperties().withFallback(ConfigFactory.parseMap(derived)).withFallback(layers)
          .withFallback(ConfigFactory.defaultApplication()).withFallback(ConfigFactory.defaultReference())
          .resolve();
      return new NodeConfig(full, new Node(number, host, port, httpHost, httpPort, List.copyOf(roles), lanes, dataDir));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
