package dev.devemu.bench;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.dispatch.Envelope;
import org.apache.pekko.dispatch.MailboxType;
import org.apache.pekko.dispatch.MessageQueue;
import org.apache.pekko.dispatch.NodeMessageQueue;
import org.apache.pekko.dispatch.UnboundedMessageQueueSemantics;
import scala.Option;

/**
 * Pekko's default typed mailbox (a {@link NodeMessageQueue}) that also counts the messages its actor took out, so
 * that the default-dispatcher side of figure 1 reports deliveries it really made rather than the lane's count (the
 * two orders make different amounts of work: a random interleaving spins on more contended locks). The count is
 * a plain field: a queue has one consumer at a time, and Pekko's mailbox protocol orders its runs. Only testbed
 * actors (below {@code /system/testbed}) are counted.
 */
public final class CountingMailbox implements MailboxType {
  private static final List<CountingQueue> QUEUES = new ArrayList<>();

  public CountingMailbox(ActorSystem.Settings settings, Config config) {}

  @Override
  public MessageQueue create(Option<ActorRef> owner, Option<ActorSystem> system) {
    CountingQueue q = new CountingQueue();
    if (owner.isDefined() && owner.get().path().toStringWithoutAddress().startsWith("/system/testbed")) {
      synchronized (QUEUES) {
        QUEUES.add(q);
      }
    }
    return q;
  }

  /** Forgets the queues of an earlier round. */
  static void reset() {
    synchronized (QUEUES) {
      QUEUES.clear();
    }
  }

  /** Messages delivered so far to testbed actors; call on the thread that runs them (one, with parallelism 1). */
  static long delivered() {
    long sum = 0;
    synchronized (QUEUES) {
      for (CountingQueue q : QUEUES) sum += q.delivered;
    }
    return sum;
  }

  private static final class CountingQueue implements MessageQueue, UnboundedMessageQueueSemantics {
    private final NodeMessageQueue queue = new NodeMessageQueue();
    private long delivered;

    @Override
    public void enqueue(ActorRef receiver, Envelope handle) {
      queue.enqueue(receiver, handle);
    }

    @Override
    public Envelope dequeue() {
      Envelope e = queue.dequeue();
      if (e != null) delivered++;
      return e;
    }

    @Override
    public int numberOfMessages() {
      return queue.numberOfMessages();
    }

    @Override
    public boolean hasMessages() {
      return queue.hasMessages();
    }

    @Override
    public void cleanUp(ActorRef owner, MessageQueue deadLetters) {
      queue.cleanUp(owner, deadLetters);
    }
  }
}
