package dev.devemu.cluster;

import dev.devemu.campaign.CampaignRun;
import dev.devemu.scenario.Scenario;
import dev.devemu.sim.SimHost;
import dev.devemu.campaign.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiConsumer;

/**
 * A node's simulation lanes: one {@link SimHost} (its own actor system, apart from the cluster's) and one thread per
 * lane taking runs from a shared queue. Runs execute here, never on a cluster dispatcher, so cluster timing cannot
 * touch them: a run is the same pure function of scenario, seed and variant as {@code devemu run}.
 */
public final class LanePool implements AutoCloseable {
  private record Job(RunRequest run, BiConsumer<RunRequest, RunRecord> done) {}

  private final SimHost host;
  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Map<String, Scenario> scenarios = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Scenario> eldest) {
      return size() > 16;
    }
  };

  public LanePool(String name, int lanes) {
    this.host = SimHost.start(name, lanes);
    for (int i = 0; i < lanes; i++) {
      int lane = i;
      Thread t = new Thread(() -> loop(lane), name + "-lane-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  public int lanes() {
    return host.lanes();
  }

  /** Queues a run; {@code done} is called on the lane's thread when it finished. */
  public void submit(RunRequest run, BiConsumer<RunRequest, RunRecord> done) {
    queue.add(new Job(run, done));
  }

  private void loop(int lane) {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        Job job = queue.take();
        job.done().accept(job.run(), execute(host, lane, job.run()));
      }
    } catch (InterruptedException stopping) {
      Thread.currentThread().interrupt();
    }
  }

  private RunRecord execute(SimHost host, int lane, RunRequest r) {
    Scenario base;
    synchronized (scenarios) {
      base = scenarios.computeIfAbsent(r.scenarioFile() + "\n" + r.scenarioSource(),
          k -> CampaignRun.parse(r.scenarioFile(), r.scenarioSource()));
    }
    return CampaignRun.record(host, lane, base, r.key(), r.durationOverrideNanos(), r.campaignId(), r.coverage());
  }

  @Override
  public void close() {
    for (Thread t : threads) t.interrupt();
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    host.close();
  }
}
