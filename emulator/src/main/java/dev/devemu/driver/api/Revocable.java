package dev.devemu.driver.api;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.Task;
import dev.devemu.uapi.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Rust-for-Linux's {@code Revocable}: access to a resource that may go away (a BAR mapping at unbind). Readers
 * enter an RCU-style read section with {@link #tryAccess}; {@link #revoke} first stops new readers, then waits
 * until the current ones left (synchronize_rcu), and only then releases the resource. A handler racing with
 * unbind therefore gets {@code ENXIO}, never an unmapped address.
 */
public final class Revocable<T> {
  private record Waiter(Task task, long episode) {}

  private final String name;
  private T value;
  private boolean revoked;
  private int readers;
  private final List<Waiter> revokers = new ArrayList<>();

  public Revocable(String name, T value) {
    this.name = name;
    this.value = value;
  }

  /** Runs {@code body} with the resource, or fails with ENXIO if it was revoked. */
  public <R> Fallible<R> tryAccess(Function<T, Fallible<R>> body) {
    return Fallible.<T>of(Op.step("rcu_read_lock", x -> {
      if (revoked) return KResult.err(Errno.ENXIO);
      readers++;
      return KResult.ok(value);
    })).andThen(v -> Fallible.of(body.apply(v).op().then(r -> Op.step("rcu_read_unlock", x -> {
      readers--;
      if (readers == 0) {
        for (Waiter w : revokers) x.kernel().wake(w.task(), w.episode(), null);
        revokers.clear();
      }
      return r;
    }))));
  }

  /** Stops new access, waits for current readers, then runs {@code release} on the resource. */
  public Op<Void> revoke(Function<T, Op<Void>> release) {
    return Op.<Void>block("revoke " + name, x -> {
      revoked = true;
      if (readers == 0) return Op.Wait.ready(null);
      x.kernel().bugs().mightSleep(x, "synchronize_rcu");
      revokers.add(new Waiter(x.task(), x.task().waitEpisode() + 1));
      return Op.Wait.sleep(Op.WaitKind.UNINTERRUPTIBLE, "synchronize_rcu (" + name + ")");
    }).then(ignored -> {
      T v = value;
      value = null;
      return v == null ? Op.<Void>done() : release.apply(v);
    });
  }

  public boolean revoked() {
    return revoked;
  }
}
