package dev.devemu.kernel.sync;

import dev.devemu.kernel.KLock;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Task;
import java.util.ArrayDeque;

/**
 * A ticket spinlock: waiters spin (keeping their CPU busy) and get the lock in arrival order. lockdep sees every
 * acquisition, so an AB-BA order or a lock shared with a hardirq handler but taken with interrupts on is
 * reported the first time it happens, deadlock or not.
 */
public final class SpinLock implements KLock, Task.AtomicLock {
  private record Waiter(Task task, long episode, boolean irqSave) {}

  private final String name;
  private Task holder;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

  public SpinLock(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean spinning() {
    return true;
  }

  public Task holder() {
    return holder;
  }

  /** spin_lock. */
  public Op<Void> lock() {
    return acquire("spin_lock", false);
  }

  /** spin_lock_irqsave: interrupts are off on this CPU until the matching unlock. */
  public Op<Void> lockIrqSave() {
    return acquire("spin_lock_irqsave", true);
  }

  private Op<Void> acquire(String what, boolean irqSave) {
    return Op.block(what, x -> {
      Task me = x.task();
      if (irqSave) me.disableIrqs();
      LockChecks.of(x.kernel()).acquire(x, me, this);
      if (holder == null) {
        holder = me;
        me.heldLocks().add(this);
        return Op.Wait.ready(null);
      }
      waiters.add(new Waiter(me, me.waitEpisode() + 1, irqSave));
      return Op.Wait.sleep(Op.WaitKind.SPIN, "spinlock " + name + " held by " + holder.comm() + "/" + holder.pid());
    });
  }

  /** spin_unlock. */
  public Op<Void> unlock() {
    return release("spin_unlock", false);
  }

  /** spin_unlock_irqrestore. */
  public Op<Void> unlockIrqRestore() {
    return release("spin_unlock_irqrestore", true);
  }

  private Op<Void> release(String what, boolean irqRestore) {
    return Op.step(what, x -> {
      Task me = x.task();
      if (holder != me) {
        x.kernel().report(LockChecks.of(x.kernel()).badUnlock(x, this,
            holder == null ? null : holder.comm() + "/" + holder.pid()));
        if (irqRestore) me.enableIrqs();
        return null;
      }
      me.heldLocks().remove(this);
      holder = null;
      if (irqRestore) me.enableIrqs();
      Waiter next = waiters.poll();
      if (next != null) {
        holder = next.task();
        next.task().heldLocks().add(this);
        x.kernel().wake(next.task(), next.episode(), null);
      }
      return null;
    });
  }

  /** Runs {@code body} under the lock (the safe flavour's guard: the unlock cannot be forgotten). */
  public <T> Op<T> with(java.util.function.Supplier<Op<T>> body) {
    return lock().then(ignored -> body.get()).then(v -> unlock().map(ignored -> v));
  }

  /** Runs {@code body} under the lock with interrupts off. */
  public <T> Op<T> withIrqSave(java.util.function.Supplier<Op<T>> body) {
    return lockIrqSave().then(ignored -> body.get()).then(v -> unlockIrqRestore().map(ignored -> v));
  }

}
