package dev.devemu.kernel;

import dev.devemu.hw.machine.IrqChipActor;
import dev.devemu.sim.Cause;
import dev.devemu.uapi.Errno;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kernel's interrupt descriptors: which handlers are registered on which interrupt, which CPU each MSI
 * vector targets, and the accounting behind {@code irq N: nobody cared}.
 *
 * <p>As on x86, a Linux IRQ number maps to a (CPU, vector) pair: each CPU has vectors 0x21..0xeb for devices;
 * the MSI address carries the destination CPU ({@code 0xfee00000 | apic_id << 12}) and the MSI data the
 * vector. When every CPU's vectors are taken, allocation fails with -ENOSPC, as on a real machine.
 */
public final class Irqs {
  /** What a handler says about an interrupt ({@code irqreturn_t}). */
  public enum IrqReturn { NONE, HANDLED, WAKE_THREAD }

  /** An interrupt handler ({@code irq_handler_t}); it runs in hardirq context and must not sleep. */
  public interface Handler {
    Op<IrqReturn> handle(int irq, Object devId);
  }

  /** One registered handler ({@code struct irqaction}). */
  public record Action(int irq, String name, Owner owner, Object devId, Handler handler) {}

  /** How MSI vectors are spread over CPUs. */
  public enum Affinity { ROUND_ROBIN, FIRST_CPU, RANDOM }

  static final int FIRST_IRQ = 24;
  /** FIRST_EXTERNAL_VECTOR + 1 .. FIRST_SYSTEM_VECTOR - 1 on x86-64. */
  static final int FIRST_DEVICE_VECTOR = 0x21;
  static final int LAST_DEVICE_VECTOR = 0xeb;
  static final int UNHANDLED_WINDOW = 100_000;
  static final int UNHANDLED_LIMIT = 99_900;

  private final Kernel kernel;
  private final TreeMap<Integer, List<Action>> actions = new TreeMap<>();
  private final Map<Integer, Integer> targets = new HashMap<>();
  private final Map<Integer, Integer> vectors = new HashMap<>();
  /** The interrupt behind each (CPU, vector), 0 for none (IRQ numbers start at 24): no boxed key per interrupt. */
  private int[][] irqOfVector = new int[0][];
  private final Map<Integer, java.util.BitSet> usedVectors = new HashMap<>();
  private final Map<Task, Integer> irqOfTask = new java.util.IdentityHashMap<>();
  private final Map<Integer, String> names = new HashMap<>();
  /** Handlers of each IRQ running now, by IRQ number (numbers are never reused within a run). */
  private int[] running = new int[FIRST_IRQ + 8];
  private final Map<Integer, List<Runnable>> synchronizers = new HashMap<>();
  private final Map<Integer, Snapshot> snapshots = new HashMap<>();
  private final Map<Integer, int[]> unhandled = new HashMap<>();
  private final Map<Integer, Boolean> disabled = new HashMap<>();
  private Affinity affinity = Affinity.ROUND_ROBIN;
  private int nextIrq = FIRST_IRQ;
  private int nextCpu;
  private long spurious;
  private long coalesced;
  private long delivered;

  Irqs(Kernel kernel) {
    this.kernel = kernel;
  }

  public void affinity(Affinity affinity) {
    this.affinity = affinity;
  }

  /**
   * Allocates an interrupt for a device ({@code pci_alloc_irq_vectors}): picks its CPU by the affinity policy
   * and a free vector there (another CPU if that one is full). Returns -ENOSPC when no CPU has a vector left.
   */
  public int allocate(String name) {
    int n = kernel.cpuCount();
    int preferred = switch (affinity) {
      case FIRST_CPU -> 0;
      case RANDOM -> kernel.random().nextInt(n);
      case ROUND_ROBIN -> nextCpu++ % n;
    };
    for (int i = 0; i < n; i++) {
      int cpu = (preferred + i) % n;
      java.util.BitSet used = usedVectors.computeIfAbsent(cpu, k -> new java.util.BitSet());
      int vector = used.nextClearBit(FIRST_DEVICE_VECTOR);
      if (vector > LAST_DEVICE_VECTOR) continue;
      used.set(vector);
      int irq = nextIrq++;
      targets.put(irq, cpu);
      vectors.put(irq, vector);
      irqOfVectorTable(cpu)[vector] = irq;
      names.put(irq, name);
      return irq;
    }
    return -Errno.ENOSPC;
  }

  /** Frees an interrupt's vector ({@code pci_free_irq_vectors}); its handlers must be gone already. */
  public void release(int irq) {
    Integer cpu = targets.remove(irq);
    Integer vector = vectors.remove(irq);
    names.remove(irq);
    if (cpu == null || vector == null) return;
    irqOfVectorTable(cpu)[vector] = 0;
    usedVectors.get(cpu).clear(vector);
  }

  /**
   * A device vector of {@code cpu} that no interrupt uses now (for a fault plan's spurious interrupt), or -1 if
   * every one is taken.
   */
  public int unassignedVector(int cpu) {
    java.util.BitSet used = usedVectors.get(cpu);
    int vector = used == null ? FIRST_DEVICE_VECTOR : used.nextClearBit(FIRST_DEVICE_VECTOR);
    return vector > LAST_DEVICE_VECTOR ? -1 : vector;
  }

  public boolean allocated(int irq) {
    return targets.containsKey(irq);
  }

  public int targetCpu(int irq) {
    Integer cpu = targets.get(irq);
    if (cpu == null) throw new IllegalArgumentException("irq " + irq + " was never allocated");
    return cpu;
  }

  /** The MSI address a device must write to reach this interrupt's CPU. */
  public long msiAddress(int irq) {
    return IrqChipActor.MSI_ADDRESS_BASE | ((long) targetCpu(irq) << 12);
  }

  /** The MSI data (vector) of this interrupt. */
  public int msiData(int irq) {
    Integer vector = vectors.get(irq);
    if (vector == null) throw new IllegalArgumentException("irq " + irq + " was never allocated");
    return vector;
  }

  /**
   * {@code request_irq}: registers a handler for the calling driver; returns 0 or -EINVAL / -EBUSY. Fault point
   * {@code request_irq}.
   */
  public static Op<Integer> requestIrq(int irq, Handler handler, String name, Object devId) {
    return Op.step("request_irq", x -> x.kernel().irqs().register(x, irq, handler, name, devId));
  }

  /**
   * {@code free_irq}: removes the handler, then waits until no CPU still runs it ({@code synchronize_irq}), so
   * that the caller may free what the handler uses. Freeing an unregistered handler is the kernel's WARN.
   */
  public static Op<Void> freeIrq(int irq, Object devId) {
    return Op.block("free_irq", x -> x.kernel().irqs().unregister(x, irq, devId));
  }

  /**
   * {@code synchronize_irq}: waits until no CPU runs a handler of {@code irq}. Like Linux's, it does not wait for
   * an interrupt that has not started yet: the caller must first stop the device from raising new ones. May
   * sleep.
   */
  public static Op<Void> synchronizeIrq(int irq) {
    return Op.block("synchronize_irq", x -> x.kernel().irqs().waitIdle(x, irq));
  }

  /**
   * {@code disable_irq}: masks the line, then waits until no handler of it is running ({@code synchronize_irq}).
   * It may sleep — {@code kernel/irq/manage.c} starts with might_sleep() since "genirq: Add might_sleep() to
   * disable_irq()" (2022) — so calling it from the line's own handler, which would wait for itself, is reported as
   * sleeping in atomic context. A handler must use {@link #disableIrqNosync}.
   */
  public static Op<Void> disableIrq(int irq) {
    return Op.block("disable_irq", x -> {
      x.kernel().bugs().mightSleep(x, "disable_irq");
      Irqs irqs = x.kernel().irqs();
      irqs.disabled.put(irq, true);
      return irqs.waitIdle(x, irq);
    });
  }

  /** {@code disable_irq_nosync}: masks the line and returns at once; what a handler may call. */
  public static Op<Void> disableIrqNosync(int irq) {
    return Op.step("disable_irq_nosync", x -> {
      x.kernel().irqs().disabled.put(irq, true);
      return null;
    });
  }

  /** Whether the line is masked (by disable_irq or by note_interrupt's "nobody cared"). */
  public boolean disabled(int irq) {
    return Boolean.TRUE.equals(disabled.get(irq));
  }

  private Op.Wait<Void> waitIdle(Exec x, int irq) {
    kernel.bugs().mightSleep(x, "synchronize_irq");
    if (running(irq) == 0) return Op.Wait.ready(null);
    Task t = x.task();
    long episode = t.waitEpisode() + 1;
    synchronizers.computeIfAbsent(irq, k -> new ArrayList<>()).add(() -> kernel.wake(t, episode, null));
    return Op.Wait.sleep(Op.WaitKind.UNINTERRUPTIBLE, "synchronize_irq(" + irq + ")");
  }

  private int register(Exec x, int irq, Handler handler, String name, Object devId) {
    if (!allocated(irq)) return -Errno.EINVAL;
    if (kernel.faults().inject("request_irq", name)) return -Errno.EBUSY;
    List<Action> list = actions.computeIfAbsent(irq, k -> new ArrayList<>());
    for (Action a : list) {
      if (a.devId() == devId) return -Errno.EBUSY;
    }
    Owner owner = x.task().owner() == null ? Owner.KERNEL : x.task().owner();
    list.add(new Action(irq, name, owner, devId, handler));
    snapshots.remove(irq);
    return 0;
  }

  private Op.Wait<Void> unregister(Exec x, int irq, Object devId) {
    kernel.bugs().mightSleep(x, "free_irq");
    List<Action> list = actions.get(irq);
    boolean removed = list != null && list.removeIf(a -> a.devId() == devId);
    if (removed) snapshots.remove(irq);
    if (!removed) {
      kernel.report(kernel.bugs().warning(x, "Trying to free already-free IRQ " + irq, "free_irq"));
      return Op.Wait.ready(null);
    }
    if (list.isEmpty()) actions.remove(irq);
    if (running(irq) == 0) return Op.Wait.ready(null);
    Task t = x.task();
    long episode = t.waitEpisode() + 1;
    synchronizers.computeIfAbsent(irq, k -> new ArrayList<>()).add(() -> kernel.wake(t, episode, null));
    return Op.Wait.sleep(Op.WaitKind.UNINTERRUPTIBLE, "synchronize_irq(" + irq + ")");
  }

  /** Handlers registered on an interrupt (a copy). */
  public List<Action> actions(int irq) {
    List<Action> list = actions.get(irq);
    return list == null ? List.of() : List.copyOf(list);
  }

  /** Every registered handler whose owner is the given driver instance (leak check at unbind). */
  public List<Action> actionsOf(Owner owner) {
    List<Action> out = new ArrayList<>();
    for (List<Action> list : actions.values()) {
      for (Action a : list) {
        if (a.owner().equals(owner)) out.add(a);
      }
    }
    return out;
  }

  void coalesced(int vector) {
    coalesced++;
  }

  /** Builds the hardirq task for a vector that arrived on a CPU, or returns null for a spurious interrupt. */
  Task startHandler(CpuActor cpu, int arrivedVector, Cause cause) {
    int mapped = cpu.cpu() < irqOfVector.length && irqOfVector[cpu.cpu()] != null && arrivedVector >= 0
        && arrivedVector < irqOfVector[cpu.cpu()].length ? irqOfVector[cpu.cpu()][arrivedVector] : 0;
    if (mapped == 0) {
      spurious++;
      kernel.printk("do_IRQ: " + cpu.cpu() + "." + arrivedVector + " No irq handler for vector");
      return null;
    }
    int irq = mapped;
    List<Action> list = actions.get(irq);
    if (Boolean.TRUE.equals(disabled.get(irq))) return null;
    if (list == null || list.isEmpty()) {
      spurious++;
      noteUnhandled(irq, true);
      return null;
    }
    delivered++;
    // handlers registered or freed while this one runs do not change what this interrupt calls
    Snapshot known = snapshots.get(irq);
    if (known == null) {
      known = new Snapshot(irq, list);
      snapshots.put(irq, known);
    }
    Snapshot snapshot = known;
    boolean[] handled = {false};
    Op<Void> program = Op.forEach(snapshot.actions, a -> Op.asDriver(a.owner(), snapshot.eventName(a),
        () -> a.handler().handle(irq, a.devId()).map(r -> {
          if (r != IrqReturn.NONE) handled[0] = true;
          return r;
        })));
    Op<Void> withAccounting = program.map(v -> {
      noteUnhandled(irq, !handled[0]);
      return null;
    });
    if (irq >= running.length) running = java.util.Arrays.copyOf(running, Math.max(irq + 1, running.length * 2));
    running[irq]++;
    Action first = snapshot.actions.get(0);
    Cause c = cause == null ? Cause.root("irq", kernel.now(), "interrupt " + irq) : cause;
    Task task = kernel.newIrqTask(cpu.cpu(), snapshot.comm, first.owner(),
        c.thenLazy(cpu.name(), cpu.cpu(), kernel.now(), () -> "hardirq " + irq + " (" + first.name() + ")"),
        withAccounting, null);
    irqOfTask.put(task, irq);
    return task;
  }

  /**
   * The handlers of one line as an interrupt finds them, with the names its task and its frames print (built once
   * per change of the list, not per interrupt).
   */
  private static final class Snapshot {
    final List<Action> actions;
    final String comm;
    private final String[] eventNames;

    Snapshot(int irq, List<Action> list) {
      this.actions = List.copyOf(list);
      this.comm = "irq/" + irq + "-" + actions.get(0).name();
      this.eventNames = new String[actions.size()];
      for (int i = 0; i < eventNames.length; i++) eventNames[i] = "handle_irq_event(" + actions.get(i).name() + ")";
    }

    String eventName(Action a) {
      for (int i = 0; i < eventNames.length; i++) {
        if (actions.get(i) == a) return eventNames[i];
      }
      return "handle_irq_event(" + a.name() + ")";
    }
  }

  void handlerExited(CpuActor cpu, Task task) {
    Integer irq = irqOfTask.remove(task);
    if (irq == null) return;
    int vector = irq;
    int left = --running[vector];
    if (left <= 0) {
      running[vector] = 0;
      List<Runnable> waiting = synchronizers.remove(vector);
      if (waiting != null) waiting.forEach(Runnable::run);
    }
  }

  private int running(int irq) {
    return irq >= 0 && irq < running.length ? running[irq] : 0;
  }

  private int[] irqOfVectorTable(int cpu) {
    if (cpu >= irqOfVector.length) irqOfVector = java.util.Arrays.copyOf(irqOfVector, cpu + 1);
    if (irqOfVector[cpu] == null) irqOfVector[cpu] = new int[LAST_DEVICE_VECTOR + 1];
    return irqOfVector[cpu];
  }

  /** note_interrupt(): a line that is almost never handled gets disabled, as the kernel does. */
  private void noteUnhandled(int vector, boolean wasUnhandled) {
    int[] counts = unhandled.computeIfAbsent(vector, k -> new int[2]);
    counts[0]++;
    if (wasUnhandled) counts[1]++;
    if (counts[0] >= UNHANDLED_WINDOW) {
      if (counts[1] > UNHANDLED_LIMIT) {
        kernel.printk("irq " + vector + ": nobody cared (try booting with the \"irqpoll\" option)");
        kernel.printk("Disabling IRQ #" + vector);
        disabled.put(vector, true);
      }
      counts[0] = 0;
      counts[1] = 0;
    }
  }

  public long spuriousCount() {
    return spurious;
  }

  public long coalescedCount() {
    return coalesced;
  }

  public long deliveredCount() {
    return delivered;
  }
}
