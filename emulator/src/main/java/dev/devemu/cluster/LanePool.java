package dev.devemu.cluster;

import dev.devemu.campaign.RunKey;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.sim.SimHost;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Runner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's simulation lanes: one {@link SimHost} (its own actor system, apart from the cluster's) and one thread per
 * lane taking runs from a shared queue. Runs execute here, never on a cluster dispatcher, so cluster timing cannot
 * touch them: a run is the same pure function of scenario, seed and variant as {@code devemu run}.
 */
public final class LanePool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LanePool.class);

  private record Job(RunRequest run, BiConsumer<RunRequest, RunResult> done) {}

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
  public void submit(RunRequest run, BiConsumer<RunRequest, RunResult> done) {
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

  private RunResult execute(SimHost host, int lane, RunRequest r) {
    RunKey key = r.key();
    Scenario base;
    synchronized (scenarios) {
      base = scenarios.computeIfAbsent(r.campaignId() + "\n" + r.scenarioFile() + "\n" + r.scenarioSource().hashCode(),
          k -> ScenarioLoader.parse(r.scenarioFile(), r.scenarioSource()));
    }
    Scenario scenario = base.withVariant(key.variant());
    if (r.durationOverrideNanos() > 0) scenario = scenario.withDuration(r.durationOverrideNanos());
    try {
      return Runner.run(host, lane, scenario, key.seed(), Runner.Options.defaults().withTrace(Runner.TraceMode.NONE))
          .result();
    } catch (RuntimeException e) {
      // An emulator bug, not a driver bug: it is deterministic too, so it is recorded as this run's result.
      LOG.error("run {} of campaign {} failed inside the emulator", key, r.campaignId(), e);
      return new RunResult(scenario.name(), key.seed(), String.join("+", scenario.variants()), "internal-error", 0, 0,
          List.of(), Map.of(), List.of(), 0, 0, List.of(), String.valueOf(e.getMessage()));
    }
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
