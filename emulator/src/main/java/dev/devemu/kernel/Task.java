package dev.devemu.kernel;

import java.util.ArrayDeque;
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
  private final ArrayDeque<Object> konts = new ArrayDeque<>();
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
        if (konts.isEmpty()) {
          finish(State.DONE, value);
          return Advance.FINISHED;
        }
        Object k = konts.pop();
        if (k instanceof PopFrame pop) {
          frames = frames.outer();
          owner = pop.previousOwner;
          continue;
        }
        op = (Op<?>) ((Function) k).apply(value);
        if (op == null) throw new NullPointerException("driver code returned a null Op after " + lastCall);
        haveValue = false;
      }
      if (op instanceof Op.Bind b) {
        konts.push(b.next);
        op = b.first;
      } else if (op instanceof Op.Pure p) {
        value = p.value;
        haveValue = true;
      } else if (op instanceof Op.Defer d) {
        op = (Op<?>) d.code.get();
        if (op == null) throw new NullPointerException("driver code built a null Op in " + function());
      } else if (op instanceof Op.Frame f) {
        frames = new FrameList(f.name, frames);
        konts.push(new PopFrame(owner));
        if (f.owner != null) owner = f.owner;
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
          haveValue = true;
        } else {
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
    konts.clear();
    if (onExit != null) onExit.exited(this, value);
  }

  /** Continuation marker: leave a marked function, restoring whose code runs. */
  private record PopFrame(Owner previousOwner) {}

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
