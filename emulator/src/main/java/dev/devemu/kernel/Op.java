package dev.devemu.kernel;

import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A piece of kernel code that a CPU runs one step at a time.
 *
 * <p>Java 17 has no continuations, so driver code is written as a chain of kernel calls: every call to a kernel
 * service ({@link #step}) is one step, and between two steps the testbed's strategy may run any other CPU,
 * device or process — which is exactly where SMP races live. The glue between steps ({@link #then},
 * {@link #map}) is plain Java and runs without yielding.
 *
 * <pre>{@code
 * return pdev.enableDevice()
 *     .then(rc -> pdev.requestRegions("my_pcie"))
 *     .then(rc -> pdev.iomap(0));
 * }</pre>
 *
 * <p>One trap: the chain is built before it runs, so an argument is evaluated when the chain is built. Anything
 * that depends on an earlier step belongs inside a lambda — {@code .then(n -> requestIrq(irqVector(pdev, 0), …))},
 * not {@code .then(requestIrq(irqVector(pdev, 0), …))} — or inside {@link #defer}.
 *
 * @param <T> what the code returns
 */
public abstract sealed class Op<T> permits Op.Pure, Op.Step, Op.Block, Op.Bind, Op.Then, Op.Mapped, Op.Defer,
    Op.Frame {

  private Op() {}

  /** A finished computation. */
  public static <T> Op<T> pure(T value) {
    return new Pure<>(value);
  }

  /** The finished computation without a value. */
  @SuppressWarnings("unchecked")
  public static <T> Op<T> done() {
    return (Op<T>) Pure.NULL;
  }

  /** A return code, for C-style functions returning int. */
  public static Op<Integer> rc(int rc) {
    return new Pure<>(rc);
  }

  /**
   * One kernel call, run as one step on the current CPU.
   *
   * @param what what the call is, for traces and reports (e.g. {@code pci_enable_device})
   */
  public static <T> Op<T> step(String what, Function<Exec, T> body) {
    return new Step<>(what, body);
  }

  /** A kernel call that may put the task to sleep until something else wakes it with a value. */
  public static <T> Op<T> block(String what, Function<Exec, Wait<T>> body) {
    return new Block<>(what, body, null);
  }

  /**
   * A blocking call whose result is computed from the wake-up value when the task resumes, still inside the
   * kernel call (for example an MMIO read noting that the device answered with all ones).
   */
  public static <T> Op<T> block(String what, Function<Exec, Wait<T>> body,
      java.util.function.BiFunction<Exec, Object, T> onWake) {
    return new Block<>(what, body, onWake);
  }

  /** Builds the code only when it runs, so that it sees the state of that moment. */
  public static <T> Op<T> defer(Supplier<Op<T>> code) {
    return new Defer<>(code);
  }

  /**
   * Marks {@code body} as the kernel function {@code name}: reports show the functions on the task's stack
   * ({@code BUG: KASAN: use-after-free in my_usb_complete}). Costs no step.
   */
  public static <T> Op<T> fn(String name, Supplier<Op<T>> body) {
    return new Frame<>(name, null, new Defer<>(body));
  }

  /**
   * Runs {@code body} as driver code of {@code owner}: reports raised inside blame that driver. The kernel uses
   * it when it calls into a driver (an interrupt handler, a URB completion, a file operation). Costs no step.
   */
  public static <T> Op<T> asDriver(Owner owner, String name, Supplier<Op<T>> body) {
    return new Frame<>(name, owner, new Defer<>(body));
  }

  /** Runs this, then the code built from its result. */
  public <U> Op<U> then(Function<? super T, Op<U>> next) {
    return new Bind<>(this, next);
  }

  /** Runs this, then {@code next}, ignoring this result. */
  public <U> Op<U> then(Op<U> next) {
    return new Then<>(this, next);
  }

  /** Transforms the result without an extra step. */
  public <U> Op<U> map(Function<? super T, U> f) {
    return new Mapped<>(this, f);
  }

  /** Runs the ops in order; the result is the last one's. */
  @SuppressWarnings("unchecked")
  public static Op<Object> seq(Op<?>... ops) {
    Op<Object> out = done();
    for (Op<?> op : ops) {
      Op<Object> o = (Op<Object>) op;
      out = out.then(ignored -> o);
    }
    return out;
  }

  /** Runs {@code body} for each item in order. */
  public static <E> Op<Void> forEach(List<E> items, Function<E, Op<?>> body) {
    return forEach(items.iterator(), body);
  }

  private static <E> Op<Void> forEach(Iterator<E> it, Function<E, Op<?>> body) {
    return defer(() -> {
      if (!it.hasNext()) return done();
      return body.apply(it.next()).then(ignored -> forEach(it, body));
    });
  }

  /** Runs {@code body} while {@code condition} holds, checking before each round. */
  public static Op<Void> whileLoop(Supplier<Boolean> condition, Supplier<Op<?>> body) {
    return defer(() -> condition.get() ? body.get().then(ignored -> whileLoop(condition, body)) : done());
  }

  static final class Pure<T> extends Op<T> {
    static final Pure<Object> NULL = new Pure<>(null);
    final T value;

    Pure(T value) {
      this.value = value;
    }
  }

  static final class Step<T> extends Op<T> {
    final String what;
    final Function<Exec, T> body;
    /** The driver source line that built this call, when error-path coverage is on and the call is fallible. */
    final String site;

    Step(String what, Function<Exec, T> body) {
      this.what = what;
      this.body = body;
      this.site = ErrorPaths.captureSite(what);
    }
  }

  static final class Block<T> extends Op<T> {
    final String what;
    final Function<Exec, Wait<T>> body;
    final java.util.function.BiFunction<Exec, Object, T> onWake;

    final String site;

    Block(String what, Function<Exec, Wait<T>> body, java.util.function.BiFunction<Exec, Object, T> onWake) {
      this.what = what;
      this.body = body;
      this.onWake = onWake;
      this.site = ErrorPaths.captureSite(what);
    }
  }

  static final class Bind<A, B> extends Op<B> {
    final Op<A> first;
    final Function<? super A, Op<B>> next;

    Bind(Op<A> first, Function<? super A, Op<B>> next) {
      this.first = first;
      this.next = next;
    }
  }

  /**
   * {@link #then(Op)}: what {@code Bind} with a function ignoring its argument does, without the function (a node
   * per call of driver code that chains a fixed next call: one object less on the emulator's hottest path).
   */
  static final class Then<A, B> extends Op<B> {
    final Op<A> first;
    final Op<B> next;

    Then(Op<A> first, Op<B> next) {
      this.first = first;
      this.next = next;
    }
  }

  /**
   * {@link #map}: the result of {@code first} transformed in place — what {@code Bind} to a function returning
   * {@code pure(f(v))} does, without that function and that {@code Pure}.
   */
  static final class Mapped<A, B> extends Op<B> {
    final Op<A> first;
    final Function<? super A, ? extends B> f;

    Mapped(Op<A> first, Function<? super A, ? extends B> f) {
      this.first = first;
      this.f = f;
    }
  }

  static final class Frame<T> extends Op<T> {
    final String name;
    final Owner owner;
    final Op<T> body;
    /**
     * For a fallible kernel function made of several steps ({@code usb_submit_urb}): the driver source line that
     * called it, when error-path coverage is on. Its steps are built later, from kernel code, where no driver line
     * is on the stack; the function's result is recorded when it returns.
     */
    final String site;

    Frame(String name, Owner owner, Op<T> body) {
      this.name = name;
      this.owner = owner;
      this.body = body;
      this.site = owner == null ? ErrorPaths.captureSite(name) : null;
    }
  }

  static final class Defer<T> extends Op<T> {
    final Supplier<Op<T>> code;

    Defer(Supplier<Op<T>> code) {
      this.code = code;
    }
  }

  /**
   * What a blocking call decided: go on at once with a value, or sleep until {@link Task#wake} is called.
   * A sleeping task is woken by whoever it waits for (a lock release, a completion, a timer, a device reply).
   */
  public static final class Wait<T> {
    final boolean ready;
    final T value;
    final WaitKind kind;
    final Object on; // a String, or a Supplier<String> built only if a report asks

    private Wait(boolean ready, T value, WaitKind kind, Object on) {
      this.ready = ready;
      this.value = value;
      this.kind = kind;
      this.on = on;
    }

    public static <T> Wait<T> ready(T value) {
      return new Wait<>(true, value, null, null);
    }

    /**
     * @param kind how the task waits (sleeping or spinning; spinning keeps the CPU busy)
     * @param on what it waits for, for reports ({@code completion my_usb.done}, {@code mutex dev->lock})
     */
    public static <T> Wait<T> sleep(WaitKind kind, String on) {
      return new Wait<>(false, null, kind, on);
    }

    /** Like {@link #sleep(WaitKind, String)}, describing what it waits for only if a report asks. */
    public static <T> Wait<T> sleep(WaitKind kind, Supplier<String> on) {
      return new Wait<>(false, null, kind, on);
    }
  }

  /** How a task waits. */
  public enum WaitKind {
    /** TASK_UNINTERRUPTIBLE: off the CPU; counted by the hung-task detector. */
    UNINTERRUPTIBLE,
    /** TASK_INTERRUPTIBLE / killable sleep with a timeout: off the CPU, not a hung task. */
    INTERRUPTIBLE,
    /** Spinning on a lock: the CPU stays busy and runs nothing else in process context. */
    SPIN,
    /** Stalled on a non-posted bus transaction (an MMIO read): the CPU waits, nothing else runs on it. */
    BUS
  }
}
