package dev.devemu.kernel.sync;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code wait_queue_head_t} with {@code wait_event_interruptible} and {@code wake_up}: a task sleeps until a
 * condition holds; whoever makes it true (an interrupt handler, another task) calls {@link #wakeUp()}. As with
 * {@code prepare_to_wait}, the sleeper is on the queue before it tests the condition, so a wake-up that comes
 * between the test and the sleep is not lost.
 */
public final class WaitQueue {
  /** One sleeper ({@code struct wait_queue_entry}). */
  private static final class Entry {
    final Task task;
    boolean woken;
    long episode;

    Entry(Task task) {
      this.task = task;
    }
  }

  private final String name;
  private final List<Entry> entries = new ArrayList<>();

  public WaitQueue(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  /**
   * {@code wait_event_interruptible(wq, condition)}: runs {@code condition} (kernel code, e.g. a locked read of
   * the driver's state) and sleeps until a wake-up, as many times as it takes to see it true. The sleep is
   * interruptible: a wait that never ends is not a hung task.
   */
  public Op<Void> waitEvent(Supplier<Op<Boolean>> condition) {
    return waitEvent(condition, Op.WaitKind.INTERRUPTIBLE);
  }

  /**
   * {@code wait_event(wq, condition)}: as {@link #waitEvent(Supplier)}, but the sleep is uninterruptible (state D):
   * a condition that never comes true is a hung task once {@code hung_task_timeout_secs} has passed.
   */
  public Op<Void> waitEventUninterruptible(Supplier<Op<Boolean>> condition) {
    return waitEvent(condition, Op.WaitKind.UNINTERRUPTIBLE);
  }

  private Op<Void> waitEvent(Supplier<Op<Boolean>> condition, Op.WaitKind kind) {
    return Op.defer(() -> {
      Entry[] mine = new Entry[1];
      return Op.<Void>step("prepare_to_wait", x -> {
        x.kernel().bugs().mightSleep(x, "wait_event(" + name + ")");
        mine[0] = new Entry(x.task());
        entries.add(mine[0]);
        return null;
      }).then(ignored -> condition.get()).then(done -> {
        if (done) return finish(mine[0]);
        return Op.<Void>block("schedule", x -> {
          Entry e = mine[0];
          if (e.woken) return Op.Wait.ready(null);
          e.episode = x.task().waitEpisode() + 1;
          return Op.Wait.sleep(kind, "wait queue " + name);
        }).then(ignored -> finish(mine[0])).then(ignored -> waitEvent(condition, kind));
      });
    });
  }

  private Op<Void> finish(Entry e) {
    return Op.step("finish_wait", x -> {
      entries.remove(e);
      return null;
    });
  }

  /** {@code wake_up}: every sleeper re-tests its condition. Safe in hardirq context. */
  public Op<Void> wakeUp() {
    return Op.step("wake_up", x -> {
      for (Entry e : entries) {
        if (e.woken) continue;
        e.woken = true;
        if (e.episode != 0) x.kernel().wake(e.task, e.episode, null);
      }
      return null;
    });
  }

  /** Sleepers right now (for tests). */
  public int waiters() {
    return entries.size();
  }
}
