package dev.devemu.sim;

import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;

/**
 * Plugs a {@link SimLane} into Pekko as a dispatcher's executor ({@code executor = "dev.devemu.sim.SimExecutorConfigurator"}).
 * The executor never runs anything itself; it hands each mailbox run to the lane.
 */
public final class SimExecutorConfigurator extends ExecutorServiceConfigurator {
  private final String systemKey;

  public SimExecutorConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    this.systemKey = SimLanes.systemKey(prerequisites.settings().name(), prerequisites.settings().config());
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
    SimLane lane = SimLanes.lane(systemKey, id);
    return () -> new LaneExecutor(lane);
  }

  private static final class LaneExecutor extends AbstractExecutorService {
    private final SimLane lane;
    private volatile boolean shutdown;

    LaneExecutor(SimLane lane) {
      this.lane = lane;
    }

    @Override
    public void execute(Runnable command) {
      lane.enqueue(command);
    }

    // Pekko shuts an idle dispatcher's executor down and makes a new one; the lane and its queue live on.
    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }
}
