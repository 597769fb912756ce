package dev.devemu.kernel;

import dev.devemu.fault.Faults;
import dev.devemu.fault.Moments;
import dev.devemu.hw.machine.Cpu;
import dev.devemu.sim.Cause;
import dev.devemu.sim.SimRandom;
import dev.devemu.sim.SimRun;
import dev.devemu.sim.VirtualClock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The core of the kernel of one testbed: tasks and the CPUs that run them, sleeping and waking, interrupts, time,
 * printk, the reports and where they go. The subsystems above the core — memory, the detectors, DMA, the VFS, the
 * driver core and the buses — are installed into it when it starts ({@code kernel.init.KernelInit}) and found by
 * their {@link Key}; the core names none of them. Every CPU actor of the testbed shares it; in deterministic mode
 * only the lane thread touches it, so it needs no locking.
 */
public final class Kernel {
  private final SimRun run;
  private final KernelConfig config;
  private final SimRandom random;
  private final KernelLog log = new KernelLog(4096);
  private final List<ActorRef<Cpu.Message>> cpus = new ArrayList<>();
  private final Irqs irqs;
  private final Resources resources = new Resources();
  private final Sysfs sysfs = new Sysfs();
  private final Faults faults;
  private final HungTask hungTask = new HungTask(this);
  private final Bugs bugs = new Bugs(this);
  private Object[] subsystems = new Object[8];
  private final Moments moments = new Moments();
  private final List<Oops> oopses = new ArrayList<>();
  private Consumer<Oops> onOops = o -> {};
  private boolean halted;
  private ErrorPaths errorPaths;
  private int nextPid = 1;
  private long nextVmalloc = VMALLOC_START;

  /** x86-64 VMALLOC_START: ioremap'ed BARs get addresses from here. */
  public static final long VMALLOC_START = 0xffffc90000000000L;

  public Kernel(SimRun run, KernelConfig config) {
    this.run = run;
    this.config = config;
    this.random = run.random().fork("kernel");
    this.irqs = new Irqs(this);
    this.faults = new Faults(run.random().fork("faults"), this::now, this::printk);
    faults.steerWith(run); // +steer: the strategy decides the fault points (a no-op otherwise)
  }

  // ---- time and randomness ----

  public long now() {
    return run.clock().now();
  }

  public VirtualClock clock() {
    return run.clock();
  }

  public SimRun run() {
    return run;
  }

  /** The kernel's own random stream (which CPU a work item lands on); never the host's. */
  public SimRandom random() {
    return random;
  }

  public KernelConfig config() {
    return config;
  }

  // ---- CPUs and tasks ----

  public void attachCpu(ActorRef<Cpu.Message> cpu) {
    cpus.add(cpu);
    lastRan = java.util.Arrays.copyOf(lastRan, cpus.size());
  }

  /** Per CPU, the task it ran a step of last (so a livelock can be blamed on whoever spins). */
  private Task[] lastRan = new Task[0];

  void ranOn(int cpu, Task t) {
    lastRan[cpu] = t;
  }

  /** The task CPU {@code cpu} ran last, or null. */
  public Task lastTaskOn(int cpu) {
    return cpu >= 0 && cpu < lastRan.length ? lastRan[cpu] : null;
  }

  public int cpuCount() {
    return cpus.size();
  }

  public ActorRef<Cpu.Message> cpu(int index) {
    return cpus.get(index);
  }

  /**
   * Starts a process-context task.
   *
   * @param cpu the CPU to run on, or -1 to let the kernel pick one (as the scheduler would)
   * @param comm the task name, as {@code ps} would show it
   * @param onExit called with the program's result when it ends, or null if an oops killed it
   */
  public Task spawn(int cpu, String comm, Owner owner, Cause cause, Op<?> program, Task.Completion onExit) {
    int target = cpu >= 0 ? cpu : random.nextInt(cpus.size());
    Task t = new Task(nextPid++, comm, Task.Context.PROCESS, target, owner, cause, program, onExit);
    cpus.get(target).tell(new CpuActor.RunTask(t));
    return t;
  }

  Task newIrqTask(int cpu, String comm, Owner owner, Cause cause, Op<?> program, Task.Completion onExit) {
    return new Task(nextPid++, comm, Task.Context.HARDIRQ, cpu, owner, cause, program, onExit);
  }

  /** Ends a task's wait (episode guards against stale wake-ups); delivered as a message to the task's CPU. */
  public void wake(Task task, long episode, Object value) {
    cpus.get(task.cpu()).tell(new CpuActor.Wake(task, episode, value));
  }

  /**
   * Sleeps for a virtual duration ({@code msleep}, {@code usleep_range}). Sleeping in atomic context is reported.
   */
  public Op<Void> sleep(String what, long nanos) {
    return Op.block(what, x -> {
      bugs.mightSleep(x, what);
      Task t = x.task();
      long episode = t.waitEpisode() + 1;
      clock().schedule(nanos, what + " done", () -> wake(t, episode, null));
      return Op.Wait.sleep(Op.WaitKind.UNINTERRUPTIBLE, what);
    });
  }

  // ---- services ----

  /** Reserves kernel virtual address space (ioremap, vmalloc) with a guard page after it. */
  public long vmalloc(long size) {
    long at = nextVmalloc;
    nextVmalloc += (Math.max(size, 4096) + 4095) / 4096 * 4096 + 4096;
    return at;
  }

  public Irqs irqs() {
    return irqs;
  }

  /** The error-path coverage recorder, or null when coverage is off (the default). */
  public ErrorPaths errorPaths() {
    return errorPaths;
  }

  /** Turns error-path coverage on for this kernel, recording into {@code paths}. */
  public void errorPaths(ErrorPaths paths) {
    this.errorPaths = paths;
  }

  public Faults faults() {
    return faults;
  }

  public Resources resources() {
    return resources;
  }

  /** Life-cycle moments of each slot (probe running, interrupt pending, DMA in flight …) that faults can wait for. */
  public Moments moments() {
    return moments;
  }

  /** The devices the buses enumerated (what lspci and modalias list). */
  public Sysfs sysfs() {
    return sysfs;
  }

  /** The kernel's own reports: page faults, WARN, might_sleep, BUG. */
  public Bugs bugs() {
    return bugs;
  }

  /** The hung-task and soft-lockup watchdogs. */
  public HungTask hungTask() {
    return hungTask;
  }

  public KernelLog log() {
    return log;
  }

  /** printk: one line in the kernel log. */
  public void printk(String text) {
    log.print(now(), text);
  }

  // ---- oopses ----

  /** Where reports go (the testbed records them and, under panic-on-oops, ends the run). */
  public void onOops(Consumer<Oops> listener) {
    this.onOops = listener;
  }

  /** Records a report. With panic-on-oops the machine halts: no CPU runs another step. */
  public void report(Oops oops) {
    if (halted) return;
    oopses.add(oops);
    for (String line : oops.format().split("\n")) log.print(oops.timeNanos(), line);
    if (config.panicOnOops()) halted = true;
    onOops.accept(oops);
  }

  /** Records a report and kills the running task, like an oops in the running context. */
  public KernelOops fatal(Oops oops) {
    report(oops);
    return new KernelOops(oops);
  }

  void reportDriverException(Exec x, Task t, Throwable e) {
    report(bugs.driverException(x, t, e));
  }

  public List<Oops> oopses() {
    return Collections.unmodifiableList(oopses);
  }

  public boolean halted() {
    return halted;
  }

  /** Stops every CPU (end of run or panic). */
  public void halt() {
    halted = true;
  }

  // ---- subsystems above the core ----

  /**
   * Names a subsystem of the kernel above its core. Each subsystem holds its key in a constant and finds itself
   * with {@code X.of(kernel)}, as Linux's subsystems are reached through their own functions rather than through a
   * structure of the core; so they may depend on the core and on each other without the core depending on them.
   */
  public static final class Key<T> {
    private static int keys;
    private final int index;
    private final String name;

    public Key(String name) {
      synchronized (Key.class) {
        this.index = keys++;
      }
      this.name = name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Installs a subsystem; each is installed once, when the kernel starts. */
  public <T> void install(Key<T> key, T subsystem) {
    if (key.index >= subsystems.length) subsystems = java.util.Arrays.copyOf(subsystems, key.index + 8);
    if (subsystems[key.index] != null) throw new IllegalStateException(key + " is installed already");
    subsystems[key.index] = subsystem;
  }

  /** The subsystem installed under {@code key}. */
  @SuppressWarnings("unchecked")
  public <T> T subsystem(Key<T> key) {
    Object s = key.index < subsystems.length ? subsystems[key.index] : null;
    if (s == null) throw new IllegalStateException("no " + key + " in this kernel (kernel.init.KernelInit installs it)");
    return (T) s;
  }
}
