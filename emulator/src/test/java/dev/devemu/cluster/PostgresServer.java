package dev.devemu.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server for the cluster tests (the journal of every multi-node deployment): {@code initdb} in a
 * directory of its own, {@code pg_ctl start} on 127.0.0.1 with a free port, trust authentication for the superuser
 * {@code devemu}. One server per test JVM, a fresh database per {@link #newDatabase}. When the test runs as root it
 * runs the server as the {@code postgres} user (PostgreSQL refuses root). Without PostgreSQL installed the tests that
 * need it are skipped, unless {@code DEVEMU_REQUIRE_TOOLS=1} (CI, where .ci/run installs it) makes that a failure.
 */
final class PostgresServer {
  private static PostgresServer shared;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgresUser;

  private PostgresServer(Path bin, Path dir, int port, boolean asPostgresUser) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /** The server of this test JVM, started on first use (skips or fails the test if PostgreSQL is not installed). */
  static synchronized PostgresServer shared() throws Exception {
    if (shared == null) {
      Path bin = findBin();
      if (bin == null) {
        String msg = "PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on PATH)";
        if ("1".equals(System.getenv("DEVEMU_REQUIRE_TOOLS"))) throw new IllegalStateException(msg);
        Assumptions.assumeTrue(false, msg);
      }
      shared = start(bin);
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
    }
    return shared;
  }

  private static Path findBin() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        List<Path> found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
            .sorted(Comparator.reverseOrder()).toList();
        if (!found.isEmpty()) return found.get(0);
      }
    }
    for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!p.isEmpty() && Files.isExecutable(Path.of(p, "pg_ctl")) && Files.isExecutable(Path.of(p, "initdb"))) {
        return Path.of(p);
      }
    }
    return null;
  }

  private static PostgresServer start(Path bin) throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("devemu-pg");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    if (root) run(List.of("chown", "postgres", dir.toString()), false);
    PostgresServer s = new PostgresServer(bin, dir, LocalCluster.freePort(), root);
    Path data = dir.resolve("data");
    s.pg("initdb", "-D", data.toString(), "-U", "devemu", "--auth=trust", "-E", "UTF8", "--no-sync");
    s.pg("pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
        "-p " + s.port + " -h 127.0.0.1 -k " + dir + " -c fsync=off -c max_connections=200", "start");
    return s;
  }

  /** A new, empty database; its JDBC URL. */
  String newDatabase() throws Exception {
    String name = "devemu_test_" + DATABASES.incrementAndGet();
    pg("psql", "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "devemu", "-d", "postgres", "-v",
        "ON_ERROR_STOP=1", "-c", "CREATE DATABASE " + name);
    return url(name);
  }

  String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** Runs SQL as the superuser in {@code database}. */
  void sql(String database, String sql) throws Exception {
    pg("psql", "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "devemu", "-d", database, "-v", "ON_ERROR_STOP=1",
        "-c", sql);
  }

  /**
   * SIGSTOP to the postmaster and then to every process it forked (backends, checkpointer, WAL writer...): the
   * server's sockets stay open and the kernel still accepts connections on its port, but nothing answers — a frozen
   * database VM. Stopping the postmaster first means it forks no new backend meanwhile.
   */
  void pause() throws Exception {
    long postmaster = postmasterPid();
    run(List.of("kill", "-STOP", String.valueOf(postmaster)), false);
    for (long child : children(postmaster)) signalChild("-STOP", child);
  }

  /** SIGCONT after {@link #pause}: the backends first, then the postmaster. */
  void resume() throws Exception {
    long postmaster = postmasterPid();
    for (long child : children(postmaster)) signalChild("-CONT", child);
    run(List.of("kill", "-CONT", String.valueOf(postmaster)), false);
  }

  /**
   * A backend may exit between the listing of the postmaster's children and its signal (a client that disconnected
   * once resumed): a child that is gone needs no signal; any other failure is one.
   */
  private static void signalChild(String signal, long child) throws Exception {
    try {
      run(List.of("kill", signal, String.valueOf(child)), false);
    } catch (IllegalStateException e) {
      if (ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)) throw e;
    }
  }

  /** The first line of {@code DATA/postmaster.pid}. */
  private long postmasterPid() throws IOException {
    return Long.parseLong(Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).get(0).trim());
  }

  private static List<Long> children(long pid) {
    return ProcessHandle.of(pid).map(p -> p.children().map(ProcessHandle::pid).toList()).orElse(List.of());
  }

  void stop() {
    try {
      pg("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "stop");
    } catch (Exception e) {
      // the JVM is going away; the server's directory is in /tmp
    }
  }

  private void pg(String tool, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    if (asPostgresUser) cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    cmd.add(bin.resolve(tool).toString());
    cmd.addAll(List.of(args));
    run(cmd, true);
  }

  private static void run(List<String> cmd, boolean fromTmp) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (fromTmp) pb.directory(new java.io.File("/tmp")); // the postgres user may not enter the build directory
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + new String(out));
    }
  }
}
