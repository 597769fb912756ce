package dev.devemu.cli;

import dev.devemu.cluster.ClusterNode;
import dev.devemu.cluster.NodeConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code devemu node --config FILE --node K}: starts node K of a deployment and runs until it leaves the cluster. */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Start node K of a cluster deployment (cluster-config/*.conf; default: a single-node cluster).%n"
        + "Prints 'node K up: ADDRESS http=HOST:PORT' when it serves; stops on SIGTERM (leaving the cluster).")
public final class NodeCommand implements Callable<Integer>, Subcommand {
  @Option(names = "--config", paramLabel = "FILE", description = "Deployment file (default: the single-node defaults, "
      + "as in cluster-config/single-node.conf).")
  Path config;

  @Option(names = "--node", paramLabel = "K", defaultValue = "1", description = "Which node of the deployment (1-based).")
  int node;

  @Option(names = "--port", description = "Override the node's remoting (Artery) port.")
  Integer port;

  @Option(names = "--http-port", description = "Override the node's HTTP (management) port.")
  Integer httpPort;

  @Option(names = "--host", description = "Override the node's remoting host name.")
  String host;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Override where the embedded journal lives.")
  Path dataDir;

  @Option(names = "--lanes", description = "Override the number of simulation lanes (0: one per processor).")
  Integer lanes;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    NodeConfig nc;
    try {
      nc = NodeConfig.load(config, node, new NodeConfig.Overrides(host, port, httpPort, dataDir, lanes));
    } catch (IllegalArgumentException e) {
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    // SIGTERM runs Pekko's coordinated shutdown from its own JVM hook (the node leaves the cluster).
    ClusterNode n;
    try {
      n = ClusterNode.start(nc);
    } catch (IllegalArgumentException e) { // the door's token setting (DoorToken), checked before anything starts
      err.println("devemu: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    out.println("node " + node + " up: " + n.system().address() + " http=" + n.httpAddress() + " lanes="
        + (nc.node().worker() ? nc.node().lanes() : 0) + " roles=" + String.join(",", nc.node().roles()));
    if (n.tokenSource() != null) out.println("http token: " + n.tokenSource());
    out.flush();
    n.awaitTermination();
    n.close();
    var reason = org.apache.pekko.actor.CoordinatedShutdown.get(n.system()).getShutdownReason();
    if (reason.isEmpty() || reason.get() != org.apache.pekko.actor.CoordinatedShutdown.jvmExitReason()) {
      // Downed by the split brain resolver (or removed by an operator): a supervisor should start it again.
      err.println("devemu: node " + node + " was removed from the cluster");
      return ExitCodes.INTERNAL;
    }
    out.println("node " + node + " stopped");
    return ExitCodes.OK;
  }
}
