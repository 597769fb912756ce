package dev.devemu.campaign;

import dev.devemu.scenario.Scenario;
import dev.devemu.sim.SimHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a campaign's keys on the lanes of one {@link SimHost} in this JVM: one worker thread per lane, each taking
 * the next key in plan order (seed, then variant) and running it to the end on its own thread, skipping the keys the
 * sink no longer wants. Runs are deterministic, so which worker runs which key changes nothing in the results.
 */
public final class LocalCampaignBackend implements CampaignBackend {
  private final int workers;
  private SimHost host;

  /** @param workers worker threads (lanes); at least 1 */
  public LocalCampaignBackend(int workers) {
    if (workers < 1) throw new IllegalArgumentException("--workers must be at least 1, got " + workers);
    this.workers = workers;
  }

  public int workers() {
    return workers;
  }

  @Override
  public void execute(CampaignPlan plan, Set<RunKey> alreadyDone, ResultSink sink) throws InterruptedException {
    List<RunKey> todo = new ArrayList<>();
    for (RunKey k : plan.runs()) {
      if (!alreadyDone.contains(k)) todo.add(k);
    }
    if (todo.isEmpty()) return;
    if (host == null) host = SimHost.start("devemu-campaign", workers);
    Scenario base = CampaignRun.parse(plan);

    AtomicInteger next = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Object sinkLock = new Object();
    List<Thread> threads = new ArrayList<>();
    for (int lane = 0; lane < workers; lane++) {
      int myLane = lane;
      Thread t = new Thread(() -> {
        try {
          while (!stop.get()) {
            int i = next.getAndIncrement();
            if (i >= todo.size()) return;
            RunKey key = todo.get(i);
            synchronized (sinkLock) {
              if (!sink.wantsMore()) return;
              if (!sink.wants(key)) continue; // its variant has what it needs
            }
            RunRecord record = CampaignRun.record(host, myLane, base, key, plan.durationOverrideNanos(),
                plan.campaignId(), plan.coverage());
            synchronized (sinkLock) {
              sink.accept(record);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
          stop.set(true);
        }
      }, "campaign-worker-" + lane);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    try {
      for (Thread t : threads) t.join();
    } catch (InterruptedException e) {
      stop.set(true); // runs in progress finish; no new one starts
      for (Thread t : threads) t.join();
      throw e;
    }
    Throwable f = failure.get();
    if (f instanceof RuntimeException re) throw re;
    if (f instanceof Error er) throw er;
    if (f != null) throw new IllegalStateException(f);
  }

  @Override
  public void close() {
    if (host != null) {
      host.close();
      host = null;
    }
  }
}
