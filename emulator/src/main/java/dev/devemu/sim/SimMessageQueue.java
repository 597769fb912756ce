package dev.devemu.sim;

import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.dispatch.Envelope;
import org.apache.pekko.dispatch.MessageQueue;
import org.apache.pekko.dispatch.UnboundedMessageQueueSemantics;

/**
 * The message queue of an actor on a lane, in place of Pekko's default (a lock-free linked queue: one atomic
 * exchange and one node per message). Messages sent on the lane's own thread go to a plain ring buffer — no
 * atomics, no allocation once it has grown; the head message has a field of its own, so the common case (one
 * message waiting) touches no array, and an actor that never had two messages waiting has none. Messages from any other thread (the actor system starting or stopping the
 * lane's actors, or a determinism bug) go to a concurrent side queue, which the lane thread empties first.
 */
final class SimMessageQueue implements MessageQueue, UnboundedMessageQueueSemantics {
  private final SimLane lane;
  /** The next message, or null if the queue is empty; the ring holds the ones after it. */
  private Envelope first;
  private Envelope[] ring;
  private int head;
  private int size;
  private volatile ConcurrentLinkedQueue<Envelope> foreign;

  SimMessageQueue(SimLane lane) {
    this.lane = lane;
  }

  @Override
  public void enqueue(ActorRef receiver, Envelope handle) {
    if (lane.ownedBy(Thread.currentThread())) {
      if (first == null) {
        first = handle;
        return;
      }
      if (ring == null) {
        ring = new Envelope[2];
      } else if (size == ring.length) {
        grow();
      }
      ring[(head + size) & (ring.length - 1)] = handle;
      size++;
    } else {
      foreignQueue().add(handle);
    }
  }

  private synchronized ConcurrentLinkedQueue<Envelope> foreignQueue() {
    if (foreign == null) foreign = new ConcurrentLinkedQueue<>();
    return foreign;
  }

  private void grow() {
    Envelope[] bigger = new Envelope[ring.length * 2];
    for (int i = 0; i < size; i++) bigger[i] = ring[(head + i) & (ring.length - 1)];
    ring = bigger;
    head = 0;
  }

  /** Only on the lane's thread (which is the only one that runs this actor). */
  @Override
  public Envelope dequeue() {
    ConcurrentLinkedQueue<Envelope> f = foreign;
    if (f != null) {
      Envelope e = f.poll();
      if (e != null) return e;
    }
    Envelope e = first;
    if (e == null || size == 0) {
      first = null;
      return e;
    }
    first = ring[head];
    ring[head] = null;
    head = (head + 1) & (ring.length - 1);
    size--;
    return e;
  }

  /** The message {@link #dequeue()} would return, or null (for traces). */
  Envelope peek() {
    ConcurrentLinkedQueue<Envelope> f = foreign;
    if (f != null) {
      Envelope e = f.peek();
      if (e != null) return e;
    }
    return first;
  }

  @Override
  public int numberOfMessages() {
    ConcurrentLinkedQueue<Envelope> f = foreign;
    return (first == null ? 0 : 1) + size + (f == null ? 0 : f.size());
  }

  @Override
  public boolean hasMessages() {
    if (first != null) return true;
    ConcurrentLinkedQueue<Envelope> f = foreign;
    return f != null && !f.isEmpty();
  }

  @Override
  public void cleanUp(ActorRef owner, MessageQueue deadLetters) {
    Envelope e;
    while ((e = dequeue()) != null) deadLetters.enqueue(owner, e);
  }
}
