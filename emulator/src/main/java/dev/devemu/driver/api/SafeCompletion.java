package dev.devemu.driver.api;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.sync.Completion;
import dev.devemu.uapi.Errno;

/**
 * The safe flavour's {@code kernel::sync::Completion}: initialised when it is created (a completion handler can
 * never meet an uninitialised one, the C bug the article names), and waited on only with a bound, so a completion
 * that never comes is {@code Err(ETIMEDOUT)} instead of a hung task.
 */
public final class SafeCompletion {
  private final Completion inner;

  public SafeCompletion(String name) {
    this.inner = Completion.initialized(name);
  }

  /** complete(); safe in interrupt context. */
  public Op<Void> complete() {
    return inner.complete();
  }

  /** reinit_completion: forget completions signalled before (so a wait means "from now on"). */
  public Op<Void> reinit() {
    return inner.init();
  }

  /** wait_for_completion_timeout, as a Result: Ok once completed, Err(ETIMEDOUT) after {@code timeoutNanos}. */
  public Fallible<Void> waitTimeout(long timeoutNanos) {
    return Fallible.of(inner.waitForCompletionTimeout(timeoutNanos)
        .map(left -> left > 0 ? KResult.<Void>ok(null) : KResult.<Void>err(Errno.ETIMEDOUT)));
  }
}
