package dev.devemu.kernel.sync;

import dev.devemu.kernel.KLock;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Task;
import java.util.ArrayDeque;

/** A sleeping lock: waiters leave their CPU. Taking it in atomic context is reported (might_sleep). */
public final class Mutex implements KLock {
  private record Waiter(Task task, long episode) {}

  private final String name;
  private Task owner;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

  public Mutex(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean spinning() {
    return false;
  }

  public Task owner() {
    return owner;
  }

  /** mutex_lock: uninterruptible, so a lost unlock shows up as a hung task. */
  public Op<Void> lock() {
    return Op.block("mutex_lock", x -> {
      x.kernel().bugs().mightSleep(x, "mutex_lock(" + name + ")");
      Task me = x.task();
      LockChecks.of(x.kernel()).acquire(x, me, this);
      if (owner == null) {
        owner = me;
        me.heldLocks().add(this);
        return Op.Wait.ready(null);
      }
      waiters.add(new Waiter(me, me.waitEpisode() + 1));
      return Op.Wait.sleep(Op.WaitKind.UNINTERRUPTIBLE, "mutex " + name + " held by " + owner.comm() + "/" + owner.pid());
    });
  }

  /** mutex_unlock. */
  public Op<Void> unlock() {
    return Op.step("mutex_unlock", x -> {
      Task me = x.task();
      if (owner != me) {
        x.kernel().report(LockChecks.of(x.kernel()).badUnlock(x, this,
            owner == null ? null : owner.comm() + "/" + owner.pid()));
        return null;
      }
      me.heldLocks().remove(this);
      owner = null;
      Waiter next = waiters.poll();
      if (next != null) {
        owner = next.task();
        next.task().heldLocks().add(this);
        x.kernel().wake(next.task(), next.episode(), null);
      }
      return null;
    });
  }

  /** Runs {@code body} with the mutex held (the safe flavour's guard). */
  public <T> Op<T> with(java.util.function.Supplier<Op<T>> body) {
    return lock().then(ignored -> body.get()).then(v -> unlock().map(ignored -> v));
  }
}
