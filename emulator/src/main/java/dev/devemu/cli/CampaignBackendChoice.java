package dev.devemu.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.devemu.campaign.CampaignException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a campaign's runs execute, as {@code campaign} chooses it and as its folder remembers it
 * ({@code backend.json}), so that {@code --resume DIR} goes on the way the campaign ran unless told otherwise.
 *
 * @param cluster the doors ({@code HOST:PORT[,HOST:PORT…]}) for {@link Kind#CLUSTER}, otherwise null
 */
record CampaignBackendChoice(Kind kind, String cluster) {
  static final String FILE = "backend.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  enum Kind {
    /**
     * The default: a single-node Pekko cluster in this JVM, its journal in {@code DIR/journal}
     * ({@link dev.devemu.campaign.CampaignRunner#JOURNAL_DIR}).
     */
    EMBEDDED("embedded-cluster"),
    /** Threads of this JVM, no cluster, no journal ({@code --local}). */
    LOCAL("local"),
    /** A running cluster, through its HTTP doors ({@code --cluster HOST:PORT}). */
    CLUSTER("cluster");

    final String word;

    Kind(String word) {
      this.word = word;
    }
  }

  static CampaignBackendChoice embedded() {
    return new CampaignBackendChoice(Kind.EMBEDDED, null);
  }

  static CampaignBackendChoice local() {
    return new CampaignBackendChoice(Kind.LOCAL, null);
  }

  static CampaignBackendChoice cluster(String doors) {
    return new CampaignBackendChoice(Kind.CLUSTER, doors);
  }

  /** The name in {@code run-info.json}. */
  String describe() {
    return kind == Kind.CLUSTER ? "cluster " + cluster : kind.word;
  }

  void write(Path dir) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("backend", kind.word);
    if (cluster != null) n.put("cluster", cluster);
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve(FILE).toFile(), n);
  }

  /**
   * How the campaign in {@code dir} ran last; the embedded default for a folder that does not say.
   *
   * @throws CampaignException if the file is there but not readable as a backend choice
   */
  static CampaignBackendChoice read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) return embedded();
    JsonNode n;
    try {
      n = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new CampaignException(file + ": not a backend record (" + e.getMessage() + ")");
    }
    String word = n.path("backend").asText();
    for (Kind k : Kind.values()) {
      if (!k.word.equals(word)) continue;
      if (k == Kind.CLUSTER && n.path("cluster").asText().isBlank()) break;
      return new CampaignBackendChoice(k, k == Kind.CLUSTER ? n.path("cluster").asText() : null);
    }
    throw new CampaignException(file + ": backend must be embedded-cluster, local or cluster (with its cluster "
        + "address), got " + n);
  }
}
