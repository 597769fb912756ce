package dev.devemu.sim;

import com.typesafe.config.Config;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorCell;
import org.apache.pekko.dispatch.Dispatcher;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.Envelope;
import org.apache.pekko.dispatch.MessageDispatcher;
import org.apache.pekko.dispatch.MessageDispatcherConfigurator;
import scala.concurrent.duration.Duration;
import scala.concurrent.duration.FiniteDuration;

/**
 * The lane dispatchers ({@code type = "dev.devemu.sim.SimDispatcherConfigurator"}): Pekko's own
 * {@link Dispatcher}, plus one hook — every message sent to a lane actor is shown to the lane as it is
 * enqueued, so that a trace can say which delivery sent which message (the flows of a Perfetto export).
 * Everything else (mailboxes, throughput, the executor) is what {@code type = Dispatcher} would build.
 */
public final class SimDispatcherConfigurator extends MessageDispatcherConfigurator {
  private final MessageDispatcher instance;

  public SimDispatcherConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    String id = config.getString("id");
    SimLane lane = SimLanes.lane(prerequisites.settings().name(), id);
    instance = new LaneDispatcher(this, id, config.getInt("throughput"),
        Duration.create(config.getDuration("throughput-deadline-time", TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS),
        FiniteDuration.create(config.getDuration("shutdown-timeout", TimeUnit.MILLISECONDS), TimeUnit.MILLISECONDS),
        lane);
  }

  @Override
  public MessageDispatcher dispatcher() {
    return instance;
  }

  private static final class LaneDispatcher extends Dispatcher {
    private final SimLane lane;

    LaneDispatcher(MessageDispatcherConfigurator configurator, String id, int throughput, Duration deadline,
        FiniteDuration shutdownTimeout, SimLane lane) {
      super(configurator, id, throughput, deadline, configurator.configureExecutor(), shutdownTimeout);
      this.lane = lane;
    }

    @Override
    public void dispatch(ActorCell receiver, Envelope invocation) {
      lane.sent(invocation);
      super.dispatch(receiver, invocation);
    }
  }
}
