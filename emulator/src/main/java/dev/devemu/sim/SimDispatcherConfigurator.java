package dev.devemu.sim;

import com.typesafe.config.Config;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorCell;
import org.apache.pekko.actor.Cell;
import org.apache.pekko.dispatch.Dispatcher;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.Envelope;
import org.apache.pekko.dispatch.Mailbox;
import org.apache.pekko.dispatch.MailboxType;
import org.apache.pekko.dispatch.MessageDispatcher;
import org.apache.pekko.dispatch.MessageDispatcherConfigurator;
import org.apache.pekko.dispatch.SingleConsumerOnlyUnboundedMailbox;
import org.apache.pekko.dispatch.UnboundedMailbox;
import org.apache.pekko.dispatch.sysmsg.SystemMessage;
import scala.concurrent.duration.Duration;
import scala.concurrent.duration.FiniteDuration;

/**
 * The lane dispatchers ({@code type = "dev.devemu.sim.SimDispatcherConfigurator"}): Pekko's own
 * {@link Dispatcher}, with two changes. Every message sent to a lane actor is shown to the lane as it is
 * enqueued, so that a trace can say which delivery sent which message (the flows of a Perfetto export). And
 * on the lane's own thread, while it runs a testbed, a mailbox is put on the run list by {@link SimLane#schedule}
 * rather than through Pekko's atomic scheduling protocol (one thread runs a lane), and actors that ask for
 * Pekko's default unbounded mailbox get a {@link SimMessageQueue}. Throughput and the executor are what
 * {@code type = Dispatcher} would build.
 */
public final class SimDispatcherConfigurator extends MessageDispatcherConfigurator {
  private final MessageDispatcher instance;

  public SimDispatcherConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    String id = config.getString("id");
    String system = SimLanes.systemKey(prerequisites.settings().name(), prerequisites.settings().config());
    SimLane lane = SimLanes.lane(system, id);
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
    private final MailboxType laneQueues;

    LaneDispatcher(MessageDispatcherConfigurator configurator, String id, int throughput, Duration deadline,
        FiniteDuration shutdownTimeout, SimLane lane) {
      super(configurator, id, throughput, deadline, configurator.configureExecutor(), shutdownTimeout);
      this.lane = lane;
      this.laneQueues = (owner, system) -> new SimMessageQueue(lane);
    }

    @Override
    public void dispatch(ActorCell receiver, Envelope invocation) {
      if (lane.links != null && crossed(() -> dispatch(receiver, invocation), invocation.message(), receiver)) return;
      lane.sent(invocation);
      super.dispatch(receiver, invocation);
    }

    @Override
    public void systemDispatch(ActorCell receiver, SystemMessage invocation) {
      if (lane.links != null && crossed(() -> systemDispatch(receiver, invocation), invocation, receiver)) return;
      super.systemDispatch(receiver, invocation);
    }

    /**
     * Time domains: something sent from another domain's window goes over the link between the two domains and
     * reaches this lane later, on its own thread. False if the sender is in this lane's window (or outside any).
     */
    private boolean crossed(Runnable deliver, Object what, ActorCell receiver) {
      if (!lane.crossing()) return false;
      SimLane from = SimLane.activeOnThisThread();
      if (from == null || from.links != lane.links) return false;
      lane.links.cross(from, lane, deliver, what, receiver.self());
      return true;
    }

    @Override
    public Mailbox createMailbox(Cell actor, MailboxType mailboxType) {
      if (mailboxType instanceof SingleConsumerOnlyUnboundedMailbox || mailboxType instanceof UnboundedMailbox) {
        return super.createMailbox(actor, laneQueues);
      }
      return super.createMailbox(actor, mailboxType);
    }

    @Override
    public boolean registerForExecution(Mailbox mbox, boolean hasMessageHint, boolean hasSystemMessageHint) {
      // a spawn from another domain: the child's Create is in its mailbox; the link starts it on this lane
      if (lane.links != null
          && crossed(() -> registerForExecution(mbox, hasMessageHint, hasSystemMessageHint), LinkHook.START,
          mbox.actor())) {
        return false;
      }
      if (lane.runningOnThisThread()) return lane.schedule(mbox, hasMessageHint, hasSystemMessageHint);
      return super.registerForExecution(mbox, hasMessageHint, hasSystemMessageHint);
    }
  }
}
