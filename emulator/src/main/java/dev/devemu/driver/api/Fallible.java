package dev.devemu.driver.api;

import dev.devemu.kernel.Op;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

/**
 * Kernel code that returns a {@link KResult}: the safe flavour's {@code fn …() -> Result<T>}. The only way to
 * reach the value is {@link #andThen}, which is Rust's {@code ?}: an error skips the rest and propagates. An
 * error therefore cannot be ignored by accident, which is the whole point.
 */
public final class Fallible<T> {
  private final Op<KResult<T>> op;

  private Fallible(Op<KResult<T>> op) {
    this.op = op;
  }

  public static <T> Fallible<T> of(Op<KResult<T>> op) {
    return new Fallible<>(op);
  }

  public static <T> Fallible<T> ok(T value) {
    return new Fallible<>(Op.pure(KResult.ok(value)));
  }

  public static <T> Fallible<T> err(int errno) {
    return new Fallible<>(Op.pure(KResult.err(errno)));
  }

  /** Code that cannot fail. */
  public static <T> Fallible<T> lift(Op<T> op) {
    return new Fallible<>(op.map(KResult::ok));
  }

  /** A C call: a negative return code becomes Err. */
  public static Fallible<Integer> fromRc(Op<Integer> rc) {
    return new Fallible<>(rc.map(KResult::fromRc));
  }

  /** {@code ?}: on Ok continue with the value, on Err stop and propagate it. */
  public <U> Fallible<U> andThen(Function<? super T, Fallible<U>> next) {
    return new Fallible<>(op.then(r -> {
      if (r instanceof KResult.Ok<T> ok) return next.apply(ok.value()).op;
      return Op.pure(KResult.err(((KResult.Err<T>) r).errno()));
    }));
  }

  /** Continue with code that cannot fail. */
  public <U> Fallible<U> thenOp(Function<? super T, Op<U>> next) {
    return andThen(v -> lift(next.apply(v)));
  }

  public <U> Fallible<U> map(Function<? super T, U> f) {
    return new Fallible<>(op.map(r -> r instanceof KResult.Ok<T> ok ? KResult.ok(f.apply(ok.value()))
        : KResult.err(((KResult.Err<T>) r).errno())));
  }

  /** {@code map_err}: replace the error code. */
  public Fallible<T> mapErr(IntUnaryOperator f) {
    return new Fallible<>(op.map(r -> r instanceof KResult.Err<T> e ? KResult.err(f.applyAsInt(e.errno())) : r));
  }

  /** Run cleanup or logging code when this fails, keeping the error (e.g. {@code pr_err!} in a map_err). */
  public Fallible<T> onErr(IntFunction<Op<?>> handler) {
    return new Fallible<>(op.then(r -> r instanceof KResult.Err<T> e
        ? handler.apply(e.errno()).map(ignored -> r) : Op.pure(r)));
  }

  /** Recover from an error with a fallback value or code. */
  public Fallible<T> orElse(IntFunction<Fallible<T>> fallback) {
    return new Fallible<>(op.then(r -> r instanceof KResult.Err<T> e ? fallback.apply(e.errno()).op : Op.pure(r)));
  }

  /** Fails with {@code errno} unless the value passes {@code test} (an {@code if … { return Err(…) }}). */
  public Fallible<T> ensure(java.util.function.Predicate<? super T> test, int errno) {
    return andThen(v -> test.test(v) ? ok(v) : err(errno));
  }

  public Op<KResult<T>> op() {
    return op;
  }

  /** 0 or -errno: the boundary back to C callers. */
  public Op<Integer> toRc() {
    return op.map(KResult::toRc);
  }
}
