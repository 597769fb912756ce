package dev.devemu.cli;

import dev.devemu.campaign.CampaignException;
import dev.devemu.campaign.CampaignFolder;
import java.io.IOException;

/**
 * Where a campaign's runs execute, as {@code campaign} chooses it and as its folder remembers it
 * ({@code backend.json}, through {@link CampaignFolder}), so that {@code --resume DIR} goes on the way the campaign ran unless told otherwise.
 *
 * @param cluster the doors ({@code HOST:PORT[,HOST:PORT…]}) for {@link Kind#CLUSTER}, otherwise null
 */
record CampaignBackendChoice(Kind kind, String cluster) {

  enum Kind {
    /**
     * The default: a single-node Pekko cluster in this JVM, its journal in memory (results.jsonl is the record).
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

  void write(CampaignFolder folder) throws IOException {
    folder.writeBackend(new CampaignFolder.BackendRecord(kind.word, cluster));
  }

  /**
   * How the campaign in {@code folder} ran last; the embedded default for a folder that does not say.
   *
   * @throws CampaignException if the file is there but not readable as a backend choice
   */
  static CampaignBackendChoice read(CampaignFolder folder) throws IOException {
    CampaignFolder.BackendRecord r = folder.readBackend();
    if (r == null) return embedded();
    for (Kind k : Kind.values()) {
      if (!k.word.equals(r.backend())) continue;
      if (k == Kind.CLUSTER && (r.cluster() == null || r.cluster().isBlank())) break;
      return new CampaignBackendChoice(k, k == Kind.CLUSTER ? r.cluster() : null);
    }
    throw new CampaignException(folder.file(CampaignFolder.BACKEND_FILE) + ": backend must be embedded-cluster, "
        + "local or cluster (with its cluster address), got " + r);
  }
}
