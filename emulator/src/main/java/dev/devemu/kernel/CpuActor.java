package dev.devemu.kernel;

import dev.devemu.hw.machine.Cpu;
import dev.devemu.sim.Cause;
import dev.devemu.sim.Traceable;
import dev.devemu.wire.LocalOnly;
import java.util.ArrayDeque;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One emulated CPU. It runs kernel tasks one step per {@link Step} message, so that the testbed's strategy can
 * interleave CPUs step by step. A hard interrupt preempts the process-context task unless that task disabled
 * interrupts; a task that spins on a lock or waits for an MMIO read keeps the CPU; a task that sleeps leaves it.
 */
public final class CpuActor extends AbstractBehavior<Cpu.Message> implements Exec {

  /** The kernel's own messages to a CPU (the machine's are {@link Cpu.Message}s). */
  public interface Command extends Cpu.Message {}

  /** Start a process-context task on this CPU. */
  public record RunTask(Task task) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "RunTask(" + task.comm() + ")";
    }
  }

  /** Something a sleeping or spinning task waited for happened. */
  public record Wake(Task task, long episode, Object value) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "Wake(" + task.comm() + ")";
    }
  }

  /** Run the next step of whatever this CPU is doing. */
  enum Step implements Command, LocalOnly, Traceable {
    INSTANCE;

    @Override
    public String traceText() {
      return "Step";
    }
  }

  private final int id;
  private final String name;
  private final Kernel kernel;
  private final ArrayDeque<Task> runQueue = new ArrayDeque<>();
  /**
   * Pending vectors in arrival order, each with the chain of messages that raised it (a vector is pending at most
   * once). Arrays, not a map: a few are pending at a time, and a map entry and a boxed vector per interrupt were a
   * measurable part of what the emulator allocates.
   */
  private int[] pendingVectors = new int[4];
  private Cause[] pendingCauses = new Cause[4];
  private int pending;
  /** Tasks that ran here and have not ended (waiting ones too), found by pid when an MMIO read completes. */
  private Task[] tasksHere = new Task[4];
  private int taskCount;
  private Task current;
  private Task irqTask;
  private Task running;
  private boolean stepScheduled;
  private long steps;

  public static Behavior<Cpu.Message> create(int id, Kernel kernel) {
    return Behaviors.setup(ctx -> new CpuActor(ctx, id, kernel));
  }

  private CpuActor(ActorContext<Cpu.Message> ctx, int id, Kernel kernel) {
    super(ctx);
    this.id = id;
    this.name = "cpu" + id;
    this.kernel = kernel;
  }

  @Override
  public Receive<Cpu.Message> createReceive() {
    return dev.devemu.sim.LeanReceive.of(this::dispatch);
  }

  private Behavior<Cpu.Message> dispatch(Cpu.Message m) {
    if (m == Step.INSTANCE) return onStep();
    if (m instanceof Cpu.MmioReadCompleted c) return onMmioReadCompleted(c);
    if (m instanceof Cpu.IrqRaised i) return onIrqRaised(i);
    if (m instanceof Wake w) return onWake(w);
    if (m instanceof RunTask r) return onRunTask(r);
    return Behaviors.unhandled();
  }

  private Behavior<Cpu.Message> onRunTask(RunTask m) {
    addTask(m.task());
    runQueue.add(m.task());
    kick();
    return this;
  }

  private Behavior<Cpu.Message> onIrqRaised(Cpu.IrqRaised m) {
    if (kernel.halted()) return this;
    // Like an APIC's IRR: a vector already pending is not queued twice.
    if (!addPending(m.vector(), m.cause())) kernel.irqs().coalesced(m.vector());
    kick();
    return this;
  }

  private Behavior<Cpu.Message> onWake(Wake m) {
    resume(m.task(), m.episode(), m.value());
    return this;
  }

  private Behavior<Cpu.Message> onMmioReadCompleted(Cpu.MmioReadCompleted m) {
    Task t = taskHere(m.pid());
    if (t != null) resume(t, m.episode(), m);
    return this;
  }

  private void resume(Task t, long episode, Object value) {
    if (!t.wake(episode, value)) return;
    if (t != current && t != irqTask) runQueue.add(t);
    kick();
  }

  private Behavior<Cpu.Message> onStep() {
    stepScheduled = false;
    if (kernel.halted()) return this;
    Task t = pick();
    if (t != null) runOne(t);
    kick();
    return this;
  }

  /** Hardirq first, then the process task on the CPU, then the next runnable one. */
  private Task pick() {
    if (irqTask != null) return irqTask.state() == Task.State.RUNNABLE ? irqTask : null;
    if (pending > 0 && irqsEnabled() && !busStalled()) {
      int vector = pendingVectors[0];
      Cause cause = pendingCauses[0];
      removeFirstPending();
      irqTask = kernel.irqs().startHandler(this, vector, cause);
      if (irqTask != null) {
        addTask(irqTask);
        return irqTask;
      }
    }
    if (current == null) current = runQueue.poll();
    return current != null && current.state() == Task.State.RUNNABLE ? current : null;
  }

  private boolean irqsEnabled() {
    return current == null || !current.irqsDisabled();
  }

  private boolean busStalled() {
    return current != null && current.state() == Task.State.WAITING && current.waitKind() == Op.WaitKind.BUS;
  }

  private boolean hasWork() {
    if (irqTask != null) return irqTask.state() == Task.State.RUNNABLE;
    if (pending > 0 && irqsEnabled() && !busStalled()) return true;
    if (current != null) return current.state() == Task.State.RUNNABLE;
    return !runQueue.isEmpty();
  }

  private void kick() {
    if (!stepScheduled && !kernel.halted() && hasWork()) {
      stepScheduled = true;
      getContext().getSelf().tell(Step.INSTANCE);
    }
  }

  private void runOne(Task t) {
    running = t;
    steps++;
    kernel.ranOn(id, t);
    try {
      Task.Advance a = t.advance(this);
      if (a == Task.Advance.WAITING) {
        if (leavesCpu(t.waitKind()) && t == current) current = null;
        kernel.hungTask().watch(t);
      }
      if (a == Task.Advance.FINISHED) retire(t);
    } catch (KernelOops e) {
      t.kill();
      retire(t);
    } catch (RuntimeException | StackOverflowError e) {
      // The driver model itself threw: that is a bug of the driver, reported like BUG(); the emulator goes on.
      kernel.reportDriverException(this, t, e);
      t.kill();
      retire(t);
    } finally {
      // for timelines (Perfetto): a bare "Step" says nothing, the task and its kernel call do
      if (kernel.run().noting()) {
        kernel.run().note(t.comm() + "/" + t.pid() + (t.inInterrupt() ? " [hardirq] " : " ") + t.function() + ": "
            + t.lastCall());
      }
      running = null;
    }
  }

  private static boolean leavesCpu(Op.WaitKind kind) {
    return kind == Op.WaitKind.UNINTERRUPTIBLE || kind == Op.WaitKind.INTERRUPTIBLE;
  }

  private void retire(Task t) {
    removeTask(t.pid());
    if (t == irqTask) {
      irqTask = null;
      kernel.irqs().handlerExited(this, t);
    }
    if (t == current) current = null;
  }

  // ---- pending vectors (an APIC's IRR, in arrival order) and tasks by pid ----

  /** @return false if the vector was pending already */
  private boolean addPending(int vector, Cause cause) {
    for (int i = 0; i < pending; i++) {
      if (pendingVectors[i] == vector) return false;
    }
    if (pending == pendingVectors.length) {
      pendingVectors = java.util.Arrays.copyOf(pendingVectors, pending * 2);
      pendingCauses = java.util.Arrays.copyOf(pendingCauses, pending * 2);
    }
    pendingVectors[pending] = vector;
    pendingCauses[pending] = cause;
    pending++;
    return true;
  }

  private void removeFirstPending() {
    pending--;
    System.arraycopy(pendingVectors, 1, pendingVectors, 0, pending);
    System.arraycopy(pendingCauses, 1, pendingCauses, 0, pending);
    pendingCauses[pending] = null;
  }

  /** As a map by pid would: a task with the pid of one already here replaces it. */
  private void addTask(Task t) {
    for (int i = 0; i < taskCount; i++) {
      if (tasksHere[i].pid() == t.pid()) {
        tasksHere[i] = t;
        return;
      }
    }
    if (taskCount == tasksHere.length) tasksHere = java.util.Arrays.copyOf(tasksHere, taskCount * 2);
    tasksHere[taskCount++] = t;
  }

  private Task taskHere(int pid) {
    for (int i = 0; i < taskCount; i++) {
      if (tasksHere[i].pid() == pid) return tasksHere[i];
    }
    return null;
  }

  private void removeTask(int pid) {
    for (int i = 0; i < taskCount; i++) {
      if (tasksHere[i].pid() == pid) {
        tasksHere[i] = tasksHere[--taskCount];
        tasksHere[taskCount] = null;
        return;
      }
    }
  }

  // ---- Exec: what a kernel call sees ----

  @Override
  public Kernel kernel() {
    return kernel;
  }

  @Override
  public Task task() {
    return running;
  }

  @Override
  public int cpu() {
    return id;
  }

  /** {@code cpu1}. */
  public String name() {
    return name;
  }

  /** Steps this CPU has run (a cheap load figure for benchmarks and status). */
  public long steps() {
    return steps;
  }
}
