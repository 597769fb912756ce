package dev.devemu.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.devemu.cli.Main;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Node JVMs on 127.0.0.1 for tests: a deployment file that includes {@code cluster-config/local-3-nodes.conf} with
 * free ports, a data directory of the test and a fresh PostgreSQL database as the journal ({@link PostgresServer}),
 * and one {@code devemu node} process per node. Processes are killed with SIGKILL ({@link Process#destroyForcibly()})
 * when a test wants a crash, paused with SIGSTOP and resumed with SIGCONT ({@link #pause}, {@link #resume}), and
 * always killed on {@link #close()}.
 */
final class LocalCluster implements AutoCloseable {
  static final Path LOCAL_3_NODES = Path.of("..", "cluster-config", "local-3-nodes.conf").toAbsolutePath().normalize();

  private final Path dir;
  private final Path logs;
  private final Path deployment;
  private final int[] ports;
  private final int[] httpPorts;
  private final Process[] processes;
  private final int[] starts;
  private final Path tokenFile;
  private final String token;

  /** Node logs go to {@code target/cluster-test-logs/NAME/} so that a failure in CI can be read afterwards. */
  LocalCluster(String name, Path dir, int nodes, String extraConfig) throws Exception {
    this(name, dir, nodes, PostgresServer.shared().newDatabase(), extraConfig);
  }

  /** With the journal at {@code journalUrl} (a JDBC URL of PostgreSQL). */
  LocalCluster(String name, Path dir, int nodes, String journalUrl, String extraConfig) throws IOException {
    this.dir = dir;
    this.logs = Path.of("target", "cluster-test-logs", name).toAbsolutePath();
    Files.createDirectories(logs);
    this.ports = new int[nodes];
    this.httpPorts = new int[nodes];
    this.processes = new Process[nodes];
    this.starts = new int[nodes];
    StringBuilder conf = new StringBuilder();
    conf.append("include file(\"").append(LOCAL_3_NODES).append("\")\n");
    conf.append("devemu.deployment.nodes = [\n");
    for (int i = 0; i < nodes; i++) {
      ports[i] = freePort();
      httpPorts[i] = freePort();
      conf.append("  { host = \"127.0.0.1\", port = ").append(ports[i]).append(", http-port = ").append(httpPorts[i])
          .append(", roles = [worker, coordinator] }\n");
    }
    conf.append("]\n");
    conf.append("devemu.node.data-dir = \"").append(dir.resolve("data")).append("\"\n");
    conf.append("pekko-persistence-jdbc.shared-databases.default.db.url = \"").append(journalUrl).append("\"\n");
    conf.append("devemu.node.journal-check-interval = 1s\n");
    // Short enough that a SIGKILLed node is downed within seconds, long enough for a loaded 2-core machine.
    conf.append("devemu.node.heartbeat = 300ms\n");
    conf.append("pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s\n");
    conf.append("pekko.cluster.split-brain-resolver.stable-after = 3s\n");
    // The door's token, owner-only as DoorToken demands; clients of the tests send it.
    tokenFile = dir.resolve("http-token");
    token = "test-token-" + Long.toHexString(new java.security.SecureRandom().nextLong());
    Files.writeString(tokenFile, token + "\n");
    Files.setPosixFilePermissions(tokenFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    conf.append("devemu.http.token-file = \"").append(tokenFile).append("\"\n");
    conf.append(extraConfig).append('\n');
    deployment = dir.resolve("deployment.conf");
    Files.writeString(deployment, conf);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The file with the door's token ({@code --token-file}). */
  Path tokenFile() {
    return tokenFile;
  }

  String token() {
    return token;
  }

  int port(int node) {
    return ports[node - 1];
  }

  String door(int node) {
    return "127.0.0.1:" + httpPorts[node - 1];
  }

  String address(int node) {
    return "pekko://devemu@127.0.0.1:" + ports[node - 1];
  }

  /** All doors, starting with {@code first}. */
  String doors(int first) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < ports.length; i++) out.add(door((first - 1 + i) % ports.length + 1));
    return String.join(",", out);
  }

  Path log(int node) {
    return logs.resolve("node" + node + "-" + starts[node - 1] + ".log");
  }

  /** Starts node K and waits until it prints that it is up. */
  void start(int node) throws Exception {
    launch(node);
    awaitUp(node);
  }

  /** Starts the JVMs of several nodes at once (they find each other through the seed nodes), then waits for each. */
  void startAll(int... nodes) throws Exception {
    for (int n : nodes) launch(n);
    for (int n : nodes) awaitUp(n);
  }

  private void launch(int node) throws IOException {
    starts[node - 1]++;
    Path log = log(node);
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-Xss4m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "node", "--config", deployment.toString(), "--node", String.valueOf(node))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    processes[node - 1] = pb.start();
  }

  private void awaitUp(int node) throws Exception {
    Process p = processes[node - 1];
    Path log = log(node);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      if (Files.exists(log) && Files.readString(log).contains("node " + node + " up:")) return;
      if (!p.isAlive()) throw new IllegalStateException("node " + node + " exited: " + Files.readString(log));
      if (System.nanoTime() > deadline) throw new IllegalStateException("node " + node + " did not start: " + Files.readString(log));
      Thread.sleep(100);
    }
  }

  /** SIGKILL: no leaving, no handover, no flushing. */
  void kill(int node) throws InterruptedException {
    Process p = processes[node - 1];
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGSTOP: the process stays, its sockets stay open, it answers nothing (a long GC pause, a frozen VM). */
  void pause(int node) throws Exception {
    signal(node, "STOP");
  }

  /** SIGTERM: the node leaves the cluster gracefully; waits up to {@code seconds} for it to exit, its exit code. */
  int terminate(int node, int seconds) throws Exception {
    signal(node, "TERM");
    Process p = processes[node - 1];
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) throw new AssertionError("node " + node + " still runs " + seconds
        + " s after SIGTERM");
    return p.exitValue();
  }

  /** SIGCONT after {@link #pause}. */
  void resume(int node) throws Exception {
    signal(node, "CONT");
  }

  private void signal(int node, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(processes[node - 1].pid())).start();
    if (kill.waitFor() != 0) throw new IllegalStateException("kill -" + signal + " node " + node + " failed");
  }

  /** Starts node K without waiting for it to say it is up (a test that expects it not to). */
  void launchOnly(int node) throws IOException {
    launch(node);
  }

  boolean alive(int node) {
    return processes[node - 1] != null && processes[node - 1].isAlive();
  }

  /** Polls node K's status document until {@code until} holds. */
  JsonNode awaitStatus(int node, Predicate<JsonNode> until, int seconds, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    JsonNode last = null;
    Exception lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        last = ClusterCampaigns.status(door(node), token());
        if (until.test(last)) return last;
      } catch (IOException e) {
        lastError = e;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting for " + what + "; last status " + last + " / " + lastError);
  }

  static long upMembers(JsonNode status) {
    long n = 0;
    for (JsonNode m : status.path("members")) {
      if (m.path("status").asText().equals("Up") && m.path("reachable").asBoolean()) n++;
    }
    return n;
  }

  static JsonNode campaign(JsonNode status, String id) {
    for (JsonNode c : status.path("campaigns")) if (c.path("campaignId").asText().equals(id)) return c;
    return null;
  }

  @Override
  public void close() {
    for (Process p : processes) {
      if (p != null) p.destroyForcibly();
    }
    for (Process p : processes) {
      try {
        if (p != null) p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
