package dev.devemu.cluster;

import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import scala.concurrent.Future;

/**
 * Snapshots in this JVM's memory, for the embedded node of {@code ./devemu campaign} whose journal is in memory too
 * ({@code pekko.persistence.journal.inmem}): snapshotting with deletion of older events keeps that journal from
 * holding every result of a long campaign, and nothing is written to disk next to {@code results.jsonl}.
 */
public final class InMemorySnapshotStore extends SnapshotStore {
  private final ConcurrentMap<String, TreeMap<Long, SelectedSnapshot>> store = new ConcurrentHashMap<>();

  private static boolean matches(SnapshotMetadata m, SnapshotSelectionCriteria c) {
    return m.sequenceNr() <= c.maxSequenceNr() && m.timestamp() <= c.maxTimestamp()
        && m.sequenceNr() >= c.minSequenceNr() && m.timestamp() >= c.minTimestamp();
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    TreeMap<Long, SelectedSnapshot> all = store.get(persistenceId);
    Optional<SelectedSnapshot> found = Optional.empty();
    if (all != null) {
      synchronized (all) {
        for (SelectedSnapshot s : all.descendingMap().values()) {
          if (matches(s.metadata(), criteria)) {
            found = Optional.of(s);
            break;
          }
        }
      }
    }
    return Future.successful(found);
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    TreeMap<Long, SelectedSnapshot> all = store.computeIfAbsent(metadata.persistenceId(), id -> new TreeMap<>());
    synchronized (all) {
      all.put(metadata.sequenceNr(), SelectedSnapshot.create(metadata, snapshot));
    }
    return Future.successful(null);
  }

  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    TreeMap<Long, SelectedSnapshot> all = store.get(metadata.persistenceId());
    if (all != null) {
      synchronized (all) {
        all.remove(metadata.sequenceNr());
      }
    }
    return Future.successful(null);
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    TreeMap<Long, SelectedSnapshot> all = store.get(persistenceId);
    if (all != null) {
      synchronized (all) {
        all.values().removeIf(s -> matches(s.metadata(), criteria));
      }
    }
    return Future.successful(null);
  }
}
