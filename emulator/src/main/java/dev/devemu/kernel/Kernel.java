package dev.devemu.kernel;

import dev.devemu.hw.machine.DmaDirection;
import dev.devemu.hw.machine.Host;
import dev.devemu.sim.Cause;
import dev.devemu.hw.machine.Cpu;
import dev.devemu.fault.Faults;
import dev.devemu.fault.Moments;
import dev.devemu.sim.Cause;
import dev.devemu.kernel.detect.Detectors;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.sim.SimRandom;
import dev.devemu.sim.SimRun;
import dev.devemu.sim.VirtualClock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The kernel of one testbed: the services drivers call (memory, interrupts, sleeping and waking, printk) and the
 * detectors that watch them. Every CPU actor of the testbed shares it; in deterministic mode only the lane
 * thread touches it, so it needs no locking.
 */
public final class Kernel implements Host {
  private final SimRun run;
  private final KernelConfig config;
  private final SimRandom random;
  private final KernelLog log = new KernelLog(4096);
  private final List<ActorRef<Cpu.Message>> cpus = new ArrayList<>();
  private final Irqs irqs;
  private final KernelMemory memory;
  private final Detectors detectors;
  private final Resources resources = new Resources();
  private final Sysfs sysfs = new Sysfs();
  private final dev.devemu.kernel.fs.Vfs vfs = new dev.devemu.kernel.fs.Vfs(this);
  private final Faults faults;
  private final Dma dma;
  private final BusMasterAccess busMasters = new BusMasterAccess(this);
  private final Moments moments = new Moments();
  private final List<Oops> oopses = new ArrayList<>();
  private Consumer<Oops> onOops = o -> {};
  private boolean halted;
  private int nextPid = 1;
  private long nextVmalloc = VMALLOC_START;

  /** x86-64 VMALLOC_START: ioremap'ed BARs get addresses from here. */
  public static final long VMALLOC_START = 0xffffc90000000000L;

  public Kernel(SimRun run, KernelConfig config) {
    this.run = run;
    this.config = config;
    this.random = run.random().fork("kernel");
    this.irqs = new Irqs(this);
    this.memory = new KernelMemory(this);
    this.detectors = new Detectors(this);
    this.faults = new Faults(run.random().fork("faults"), this::now, this::printk);
    this.dma = new Dma(this);
  }

  // ---- time and randomness ----

  @Override
  public long now() {
    return run.clock().now();
  }

  @Override
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
  }

  @Override
  public int cpuCount() {
    return cpus.size();
  }

  @Override
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
      detectors.mightSleep(x, what);
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

  public KernelMemory memory() {
    return memory;
  }

  public Faults faults() {
    return faults;
  }

  public Dma dma() {
    return dma;
  }

  public Resources resources() {
    return resources;
  }

  /** Device nodes, user processes and the system calls that reach drivers' file operations. */
  public dev.devemu.kernel.fs.Vfs vfs() {
    return vfs;
  }

  /** Life-cycle moments of each slot (probe running, interrupt pending, DMA in flight …) that faults can wait for. */
  public Moments moments() {
    return moments;
  }

  /** The devices the buses enumerated (what lspci and modalias list). */
  public Sysfs sysfs() {
    return sysfs;
  }

  public Detectors detectors() {
    return detectors;
  }

  public KernelLog log() {
    return log;
  }

  // ---- what the hardware sees of the machine (Host) ----

  @Override
  public void log(String line) {
    printk(line);
  }

  @Override
  public int dmaTransfer(String device, long busAddress, int length, DmaDirection direction, long tag, Cause cause) {
    return busMasters.dmaTransfer(device, busAddress, length, direction, tag, cause);
  }

  @Override
  public void busMasterAccess(String master, long address, int length, boolean write, Cause cause,
      java.util.function.Supplier<String> what) {
    busMasters.busMasterAccess(master, address, length, write, cause, what);
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
    report(detectors.driverException(x, t, e));
  }

  public List<Oops> oopses() {
    return Collections.unmodifiableList(oopses);
  }

  @Override
  public boolean halted() {
    return halted;
  }

  /** Stops every CPU (end of run or panic). */
  public void halt() {
    halted = true;
  }
}
