package dev.devemu.kernel;

import dev.devemu.sim.Cause;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A kernel execution context: a process-context task (probe, remove, a system call, a kworker) or a hard
 * interrupt handler. It runs an {@link Op} program on one CPU, one step per delivery of that CPU's step message.
 */
public final class Task {
  /** The context a task runs in, which decides what it may do (sleeping in hardirq context is a bug). */
  public enum Context { PROCESS, HARDIRQ }

  /** Life cycle of a task. */
  public enum State { RUNNABLE, WAITING, DONE, KILLED }

  private static final Object NO_VALUE = new Object();

  private final int pid;
  private final String comm;
  private final Context context;
  private final int cpu;
  private final Cause cause;
  private Owner owner;
  /**
   * What to do with the value of the current op, innermost last: Bind functions, Then/Mapped nodes, frame exits.
   * A plain array: a task is made per interrupt, and an ArrayDeque is an object more.
   */
  private Object[] konts = new Object[16];
  private int depth;
  /** Marked functions as a persistent list (innermost first), so that a snapshot costs nothing. */
  private FrameList frames;
  private Op<?> current;
  private State state = State.RUNNABLE;
  private Op.WaitKind waitKind;
  private Object waitingOn; // a String, or a Supplier<String> until asked
  private long waitingSince;
  private long waitEpisode;
  private Object wakeValue = NO_VALUE;
  private java.util.function.BiFunction<Exec, Object, ?> onWake;
  private String lastCall = "";
  /** The driver source line of the blocking call the task waits in, for error-path coverage (else null). */
  private String waitSite;
  private long calls;
  private int irqsDisabled;
  private final HeldLocks heldLocks = new HeldLocks();
  private final Completion onExit;

  /** Called once when the task ends, with its result (or null if it was killed by an oops). */
  public interface Completion {
    void exited(Task task, Object result);
  }

  Task(int pid, String comm, Context context, int cpu, Owner owner, Cause cause, Op<?> program, Completion onExit) {
    this.pid = pid;
    this.comm = comm;
    this.context = context;
    this.cpu = cpu;
    this.owner = owner;
    this.cause = cause;
    this.current = program;
    this.onExit = onExit;
  }

  /** Outcome of advancing a task by one step. */
  enum Advance { YIELDED, WAITING, FINISHED }

  /**
   * Runs pure glue freely and at most one kernel call; stops before the next kernel call, when the call puts
   * the task to sleep, or when the program ends.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  Advance advance(Exec exec) {
    Op<?> op;
    Object value = null;
    boolean haveValue = false;
    if (wakeValue != NO_VALUE) {
      value = wakeValue;
      wakeValue = NO_VALUE;
      if (onWake != null) {
        var post = onWake;
        onWake = null;
        value = post.apply(exec, value);
      }
      if (waitSite != null) {
        ErrorPaths paths = exec.kernel().errorPaths();
        if (paths != null) paths.record(owner, waitSite, lastCall, value);
        waitSite = null;
      }
      haveValue = true;
      op = null;
    } else {
      op = current;
    }
    boolean called = false;
    while (true) {
      if (haveValue) {
        // A value is ready: feed it to the next continuation (or finish). Values never become Pure objects,
        // which saves an allocation per step on the hottest path of the emulator.
        if (depth == 0) {
          finish(State.DONE, value);
          return Advance.FINISHED;
        }
        Object k = konts[--depth];
        konts[depth] = null;
        if (k instanceof Op.Frame<?> f) {
          // leaving a marked function; if it ran as some driver's code, whose code runs again is below it
          frames = frames.outer();
          if (f.site != null) {
            ErrorPaths paths = exec.kernel().errorPaths();
            if (paths != null) paths.record(owner, f.site, f.name, value);
          }
          if (f.owner != null) {
            Object previous = konts[--depth];
            konts[depth] = null;
            owner = previous == NO_OWNER ? null : (Owner) previous;
          }
          continue;
        }
        if (k instanceof Op.Mapped m) {
          value = ((Function) m.f).apply(value); // still a value: on to the next continuation
          continue;
        }
        if (k instanceof Op.Then t) {
          op = t.next;
          if (op == null) throw new NullPointerException("driver code returned a null Op after " + lastCall);
          haveValue = false;
          continue;
        }
        op = (Op<?>) ((Function) k).apply(value);
        if (op == null) throw new NullPointerException("driver code returned a null Op after " + lastCall);
        haveValue = false;
      }
      if (op instanceof Op.Bind b) {
        push(b.next);
        op = b.first;
      } else if (op instanceof Op.Then t) {
        push(t); // its continuation: go on with t.next
        op = t.first;
      } else if (op instanceof Op.Mapped m) {
        push(m); // its continuation: apply m.f to the value
        op = m.first;
      } else if (op instanceof Op.Pure p) {
        value = p.value;
        haveValue = true;
      } else if (op instanceof Op.Defer d) {
        op = (Op<?>) d.code.get();
        if (op == null) throw new NullPointerException("driver code built a null Op in " + function());
      } else if (op instanceof Op.Frame f) {
        frames = new FrameList(f.name, frames);
        if (f.owner != null) {
          push(owner == null ? NO_OWNER : owner);
          owner = f.owner;
        }
        push(f); // its exit: see above
        op = f.body;
      } else if (op instanceof Op.Step s) {
        if (called) {
          current = op;
          return Advance.YIELDED;
        }
        called = true;
        calls++;
        lastCall = s.what;
        value = s.body.apply(exec);
        if (s.site != null) {
          ErrorPaths paths = exec.kernel().errorPaths();
          if (paths != null) paths.record(owner, s.site, s.what, value);
        }
        haveValue = true;
      } else if (op instanceof Op.Block bl) {
        if (called) {
          current = op;
          return Advance.YIELDED;
        }
        called = true;
        calls++;
        lastCall = bl.what;
        Op.Wait<?> w = (Op.Wait<?>) bl.body.apply(exec);
        if (w.ready) {
          value = w.value;
          if (bl.site != null) {
            ErrorPaths paths = exec.kernel().errorPaths();
            if (paths != null) paths.record(owner, bl.site, bl.what, value);
          }
          haveValue = true;
        } else {
          waitSite = bl.site;
          state = State.WAITING;
          onWake = bl.onWake;
          waitKind = w.kind;
          waitingOn = w.on;
          waitingSince = exec.now();
          waitEpisode++;
          current = null;
          return Advance.WAITING;
        }
      } else {
        throw new IllegalStateException("unknown op " + op);
      }
    }
  }

  private void push(Object continuation) {
    java.util.Objects.requireNonNull(continuation); // a null continuation fails here, as ArrayDeque.push did
    if (depth == konts.length) konts = java.util.Arrays.copyOf(konts, depth * 2);
    konts[depth++] = continuation;
  }

  /** Ends a wait: the value becomes the result of the blocking call. Returns false if the task was not waiting. */
  boolean wake(long episode, Object value) {
    if (state != State.WAITING || episode != waitEpisode) return false;
    state = State.RUNNABLE;
    waitKind = null;
    waitingOn = null;
    wakeValue = value;
    return true;
  }

  void kill() {
    if (state == State.DONE || state == State.KILLED) return;
    finish(State.KILLED, null);
  }

  private void finish(State end, Object value) {
    state = end;
    current = null;
    java.util.Arrays.fill(konts, 0, depth, null);
    depth = 0;
    if (onExit != null) onExit.exited(this, value);
  }

  /** The owner to restore after a driver's frame when core kernel code (no owner) called it. */
  private static final Object NO_OWNER = new Object();

  public int pid() {
    return pid;
  }

  public String comm() {
    return comm;
  }

  public Context context() {
    return context;
  }

  public boolean inInterrupt() {
    return context == Context.HARDIRQ;
  }

  public int cpu() {
    return cpu;
  }

  public Cause cause() {
    return cause;
  }

  /** The driver whose code this task runs, or null for core kernel code. */
  public Owner owner() {
    return owner;
  }

  void owner(Owner owner) {
    this.owner = owner;
  }

  public State state() {
    return state;
  }

  public Op.WaitKind waitKind() {
    return waitKind;
  }

  public String waitingOn() {
    if (waitingOn instanceof java.util.function.Supplier<?> s) waitingOn = String.valueOf(s.get());
    return (String) waitingOn;
  }

  public long waitingSince() {
    return waitingSince;
  }

  /** Identifies one wait, so that a stale wake-up (a timeout after the lock was granted) is ignored. */
  public long waitEpisode() {
    return waitEpisode;
  }

  /** The innermost kernel function, e.g. {@code my_pcie_irq}; the task name if no function was marked. */
  public String function() {
    return frames == null ? comm : frames.name();
  }

  /** Marked functions, innermost first, as a report prints a call trace. */
  public List<String> stack() {
    return FrameList.toList(frames);
  }

  /** The current frames, to keep for a later report (cheap: the list is immutable). */
  public FrameList frames() {
    return frames;
  }

  /** An immutable list of marked functions, innermost first. */
  public record FrameList(String name, FrameList outer) {
    public static List<String> toList(FrameList f) {
      List<String> out = new ArrayList<>();
      for (FrameList at = f; at != null; at = at.outer()) out.add(at.name());
      return out;
    }
  }

  /**
   * Kernel calls this task has started so far. A detector that remembers an access can tell, by comparing, that
   * the task is still inside it (no further call yet) — which is what a KCSAN watchpoint waits for.
   */
  public long calls() {
    return calls;
  }

  /** The kernel call being made or last made, e.g. {@code ioread32}. */
  public String lastCall() {
    return lastCall;
  }

  public boolean irqsDisabled() {
    return irqsDisabled > 0;
  }

  /** Kernel-internal: local_irq_save. */
  public void disableIrqs() {
    irqsDisabled++;
  }

  /** Kernel-internal: local_irq_restore. */
  public void enableIrqs() {
    if (irqsDisabled > 0) irqsDisabled--;
  }

  /** Locks held, in acquisition order (lock objects of {@code dev.devemu.kernel.sync}). */
  public List<Object> heldLocks() {
    return heldLocks;
  }

  /** An immutable copy of {@link #heldLocks()}, shared until the set changes (detectors keep it per access). */
  public List<Object> heldLocksSnapshot() {
    return heldLocks.snapshot();
  }

  /** The held-lock list, remembering an immutable snapshot until it changes. */
  private static final class HeldLocks extends ArrayList<Object> {
    private List<Object> snapshot = List.of();
    private boolean stale;

    HeldLocks() {
      super(0); // grows one lock at a time: a task holds one or two, and a task is made per interrupt
    }

    @Override
    public boolean add(Object o) {
      stale = true;
      return super.add(o);
    }

    @Override
    public boolean remove(Object o) {
      stale = true;
      return super.remove(o);
    }

    @Override
    public void clear() {
      stale = true;
      super.clear();
    }

    List<Object> snapshot() {
      if (stale) {
        snapshot = List.copyOf(this);
        stale = false;
      }
      return snapshot;
    }
  }

  /** True in atomic context: hardirq, IRQs disabled or a spinlock held — sleeping here is a bug. */
  public boolean atomic() {
    return inInterrupt() || irqsDisabled > 0 || heldLocks.stream().anyMatch(l -> l instanceof AtomicLock);
  }

  /** Marker for locks whose holder must not sleep (spinlocks). */
  public interface AtomicLock {}

  /** Short description for reports: {@code my_pcie_probe (pid 12, cpu1, process)}. */
  public String describe() {
    return comm + " (pid " + pid + ", cpu" + cpu + ", " + (inInterrupt() ? "hardirq" : "process") + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
