package dev.devemu.cluster;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * The coordinator's journal as a node sees it: which kind it is, creating its tables (idempotent, at node start) and
 * one real write to learn whether it is writable ({@link #probe}), which {@code /ready} and {@code status} report.
 *
 * <p>A cluster of several nodes must not host its journal itself: an H2 file served by whichever node opened it
 * first is outside the split brain resolver's view, and pausing that node stalls everyone. So an H2 journal is for
 * one node only ({@link #checkDeployment}); several nodes need PostgreSQL ({@code cluster-config/postgres.conf}).
 */
final class Journal {
  enum Kind {
    /** In this JVM's memory: the embedded node of {@code ./devemu campaign} (results.jsonl is the record). */
    IN_MEMORY,
    /** An H2 file in the node's data directory: one node. */
    H2,
    /** A PostgreSQL database no devemu node hosts: any number of nodes. */
    POSTGRES
  }

  private static final String DB = "pekko-persistence-jdbc.shared-databases.default";
  /** Serializes schema creation between nodes that start together (any constant shared by all devemu nodes). */
  private static final long SCHEMA_LOCK = 0x646576656d75L; // "devemu"

  private Journal() {}

  static Kind kind(Config c) {
    if (!c.getString("pekko.persistence.journal.plugin").equals("jdbc-journal")) return Kind.IN_MEMORY;
    return c.getString(DB + ".profile").contains("Postgres") ? Kind.POSTGRES : Kind.H2;
  }

  /**
   * Refuses a deployment of several nodes (or Kubernetes) whose journal is an H2 file one of them would host.
   *
   * @throws IllegalArgumentException naming the deployment and what to include instead
   */
  static void checkDeployment(Config c) {
    int nodes = c.getConfigList("devemu.deployment.nodes").size();
    boolean kubernetes = c.getString("devemu.deployment.discovery").equals("kubernetes");
    if (kind(c) == Kind.H2 && (nodes > 1 || kubernetes)) {
      throw new IllegalArgumentException("deployment " + c.getString("devemu.deployment.name") + " has "
          + (kubernetes ? "Kubernetes discovery" : nodes + " nodes") + " and an H2 journal, which one of its nodes "
          + "would host (pausing that node would stall the cluster): include \"postgres.conf\" and point "
          + "DEVEMU_DB_URL at a PostgreSQL database (docs/cluster.md, \"The journal\")");
    }
  }

  /** Where the journal is, for messages (no password). */
  static String describe(Config c) {
    return switch (kind(c)) {
      case IN_MEMORY -> "in memory";
      case H2, POSTGRES -> c.getString(DB + ".db.url");
    };
  }

  /** Creates the journal's tables if they are missing; safe to run on every node at every start. */
  static void createSchema(ActorSystem<?> system, Config c) throws Exception {
    switch (kind(c)) {
      case IN_MEMORY -> { }
      case H2 -> {
        SchemaUtils.createIfNotExists(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
        try (Connection conn = connect(c); Statement st = conn.createStatement()) {
          st.execute("CREATE TABLE IF NOT EXISTS devemu_journal_probe (node VARCHAR(255) NOT NULL PRIMARY KEY, "
              + "checked_at BIGINT NOT NULL)");
        }
      }
      case POSTGRES -> {
        String script;
        try (InputStream in = Journal.class.getResourceAsStream("/devemu/schema/postgres.sql")) {
          if (in == null) throw new IOException("devemu/schema/postgres.sql is missing from the classpath");
          script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection conn = connect(c)) {
          conn.setAutoCommit(false);
          try (Statement st = conn.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
            for (String sql : script.split("\n;\n")) {
              if (!sql.isBlank()) st.execute(sql);
            }
            conn.commit();
          } catch (SQLException e) {
            conn.rollback();
            throw e;
          }
        }
      }
    }
  }

  /**
   * Writes one row (this node's probe) in one transaction: null if the journal took it, otherwise why not, in a
   * sentence for the log, {@code /ready} and {@code status} (never the password).
   */
  static String probe(Config c, String node) {
    if (kind(c) == Kind.IN_MEMORY) return null;
    try (Connection conn = connect(c)) {
      conn.setAutoCommit(false);
      try (PreparedStatement del = conn.prepareStatement("DELETE FROM devemu_journal_probe WHERE node = ?");
          PreparedStatement ins = conn.prepareStatement(
              "INSERT INTO devemu_journal_probe (node, checked_at) VALUES (?, ?)")) {
        del.setString(1, node);
        del.executeUpdate();
        ins.setString(1, node);
        ins.setLong(2, System.currentTimeMillis());
        ins.executeUpdate();
        conn.commit();
      } catch (SQLException e) {
        conn.rollback();
        throw e;
      }
      return null;
    } catch (SQLException e) {
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
      return "the journal (" + describe(c) + ") is not writable: " + m;
    }
  }

  private static Connection connect(Config c) throws SQLException {
    Config db = c.getConfig(DB + ".db");
    Properties p = new Properties();
    p.setProperty("user", db.getString("user"));
    p.setProperty("password", db.getString("password"));
    if (kind(c) == Kind.POSTGRES) {
      // A database that does not answer must not hang the node's start or its readiness check.
      p.setProperty("connectTimeout", "5");
      p.setProperty("socketTimeout", "15");
    }
    return DriverManager.getConnection(db.getString("url"), p);
  }
}
