package dev.devemu.usbip;

import dev.devemu.sim.ExternalInputs;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Live mode: the virtual clock follows the wall clock (times the time scale), and what the network threads hand
 * in is delivered to the lane at the virtual time the lane takes it. The lane stamps it, not the network thread,
 * so an input never lands before a timer the lane has already fired: the recorded (time, input) list replays at
 * the same points of the loop.
 */
final class LiveInputs implements ExternalInputs {
  private static final long MAX_WAIT_NANOS = 50_000_000;

  private final LinkedBlockingQueue<ExportEngine.Input> queue = new LinkedBlockingQueue<>();
  /**
   * Wall time of virtual time 0: when the lane first asks for input, i.e. when the export is live. Not when the
   * server object was built: starting the actor system can take seconds on a loaded machine, and a fault plan's
   * {@code at} counts from when clients can be served. Only the lane thread reads and sets it.
   */
  private long startWall = -1;
  private final double timeScale;
  private final ExportEngine.Input[] held = new ExportEngine.Input[1];
  private ExportEngine engine;
  private Session.Recorder recorder;
  private volatile boolean stopping;
  private volatile long endedAt = -1;

  LiveInputs(double timeScale) {
    this.timeScale = timeScale;
  }

  void attach(ExportEngine engine, Session.Recorder recorder) {
    this.engine = engine;
    this.recorder = recorder;
  }

  /** Called by network threads. */
  void offer(ExportEngine.Input in) {
    queue.add(in);
  }

  /** Ends the session once every input already offered is delivered. */
  void stop() {
    stopping = true;
  }

  /** The virtual time the session ended at, or -1 while it runs. */
  long endedAt() {
    return endedAt;
  }

  private long virtualNow() {
    if (startWall < 0) startWall = System.nanoTime();
    return (long) ((System.nanoTime() - startWall) * timeScale);
  }

  @Override
  public Input next(long now, long nextTimerDue) {
    while (true) {
      ExportEngine.Input in = held[0] != null ? held[0] : queue.poll();
      held[0] = null;
      if (in != null) {
        long at = Math.max(now, virtualNow());
        if (at >= nextTimerDue) {
          held[0] = in; // the timer is due first
          return null;
        }
        if (recorder != null) recorder.input(at, in);
        ExportEngine.Input delivered = in;
        return new Input(at, () -> engine.deliver(delivered));
      }
      if (stopping) {
        if (recorder != null) recorder.end(now);
        endedAt = now;
        return END;
      }
      long v = virtualNow();
      if (nextTimerDue <= v) return null;
      if (recorder != null) recorder.flush();
      long wait = nextTimerDue == Long.MAX_VALUE ? MAX_WAIT_NANOS
          : Math.min(MAX_WAIT_NANOS, (long) ((nextTimerDue - v) / timeScale) + 1);
      try {
        held[0] = queue.poll(wait, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopping = true;
      }
    }
  }
}
