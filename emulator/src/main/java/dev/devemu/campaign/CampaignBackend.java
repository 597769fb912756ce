package dev.devemu.campaign;

import java.util.Set;

/**
 * Where a campaign's runs execute: threads of this JVM, or the nodes of a Pekko cluster. A backend runs every
 * key of the plan that is not in {@code alreadyDone} and reports each result once, in any order. Runs are
 * deterministic, so a run repeated after a failure gives the same result; the sink still sees each key once.
 */
public interface CampaignBackend extends AutoCloseable {
  /** Receives results as runs finish; called from backend threads, one call at a time. */
  interface ResultSink {
    void accept(RunRecord record);

    /**
     * Asked before a run starts: false means the campaign already has what it needs (a device-hours target was
     * reached), so runs not yet started may be skipped. Backends that cannot stop early may ignore it.
     */
    default boolean wantsMore() {
      return true;
    }

    /**
     * Asked before a run starts: false means this key can no longer count (its variant reached its device-hours
     * target while another variant still runs), so it may be skipped. Backends that cannot skip a run may ignore
     * it; a result delivered anyway is kept but not counted.
     */
    default boolean wants(RunKey key) {
      return wantsMore();
    }
  }

  void execute(CampaignPlan plan, Set<RunKey> alreadyDone, ResultSink sink) throws InterruptedException;

  @Override
  default void close() {}
}
