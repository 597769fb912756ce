package dev.devemu.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kernel's interrupt descriptors: which handlers are registered on which interrupt, which CPU each MSI
 * vector targets, and the accounting behind {@code irq N: nobody cared}.
 *
 * <p>Simplification: one number serves as Linux IRQ number and as the vector a device writes in its MSI data;
 * the destination CPU is encoded in the MSI address as on x86 ({@code 0xfee00000 | apic_id << 12}).
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
  static final int UNHANDLED_WINDOW = 100_000;
  static final int UNHANDLED_LIMIT = 99_900;
  public static final long MSI_ADDRESS_BASE = 0xFEE00000L;

  private final Kernel kernel;
  private final TreeMap<Integer, List<Action>> actions = new TreeMap<>();
  private final Map<Integer, Integer> targets = new HashMap<>();
  private final Map<Integer, String> names = new HashMap<>();
  private final Map<Integer, Integer> running = new HashMap<>();
  private final Map<Integer, List<Runnable>> synchronizers = new HashMap<>();
  private final Map<Long, Cause> pendingCauses = new HashMap<>();
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

  /** Allocates an interrupt for a device ({@code pci_alloc_irq_vectors}) and picks its CPU. */
  public int allocate(String name) {
    int irq = nextIrq++;
    int cpu = switch (affinity) {
      case FIRST_CPU -> 0;
      case RANDOM -> kernel.random().nextInt(kernel.cpuCount());
      case ROUND_ROBIN -> nextCpu++ % kernel.cpuCount();
    };
    targets.put(irq, cpu);
    names.put(irq, name);
    return irq;
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
    return MSI_ADDRESS_BASE | ((long) targetCpu(irq) << 12);
  }

  /** The MSI data (vector) of this interrupt. */
  public int msiData(int irq) {
    return irq;
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

  private int register(Exec x, int irq, Handler handler, String name, Object devId) {
    if (!allocated(irq)) return -Errno.EINVAL;
    if (kernel.faults().inject("request_irq", name)) return -Errno.EBUSY;
    List<Action> list = actions.computeIfAbsent(irq, k -> new ArrayList<>());
    for (Action a : list) {
      if (a.devId() == devId) return -Errno.EBUSY;
    }
    Owner owner = x.task().owner() == null ? Owner.KERNEL : x.task().owner();
    list.add(new Action(irq, name, owner, devId, handler));
    return 0;
  }

  private Op.Wait<Void> unregister(Exec x, int irq, Object devId) {
    kernel.detectors().mightSleep(x, "free_irq");
    List<Action> list = actions.get(irq);
    boolean removed = list != null && list.removeIf(a -> a.devId() == devId);
    if (!removed) {
      kernel.report(kernel.detectors().warning(x, "Trying to free already-free IRQ " + irq, "free_irq"));
      return Op.Wait.ready(null);
    }
    if (list.isEmpty()) actions.remove(irq);
    if (running.getOrDefault(irq, 0) == 0) return Op.Wait.ready(null);
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

  void noteCause(int cpu, int vector, Cause cause) {
    pendingCauses.put(((long) cpu << 32) | vector, cause);
  }

  void coalesced(int vector) {
    coalesced++;
  }

  /** Builds the hardirq task for a vector, or returns null for a spurious interrupt. */
  Task startHandler(CpuActor cpu, int vector) {
    Cause cause = pendingCauses.remove(((long) cpu.cpu() << 32) | vector);
    List<Action> list = actions.get(vector);
    if (Boolean.TRUE.equals(disabled.get(vector))) return null;
    if (list == null || list.isEmpty()) {
      spurious++;
      noteUnhandled(vector, true);
      return null;
    }
    delivered++;
    List<Action> snapshot = List.copyOf(list);
    boolean[] handled = {false};
    Op<Void> program = Op.forEach(snapshot, a -> Op.asDriver(a.owner(), "handle_irq_event(" + a.name() + ")",
        () -> a.handler().handle(vector, a.devId()).map(r -> {
          if (r != IrqReturn.NONE) handled[0] = true;
          return r;
        })));
    Op<Void> withAccounting = program.map(v -> {
      noteUnhandled(vector, !handled[0]);
      return null;
    });
    running.merge(vector, 1, Integer::sum);
    Action first = snapshot.get(0);
    Cause c = cause == null ? Cause.root("irq", kernel.now(), "interrupt " + vector) : cause;
    return kernel.newIrqTask(cpu.cpu(), "irq/" + vector + "-" + first.name(), first.owner(),
        c.then("cpu" + cpu.cpu(), cpu.cpu(), kernel.now(), "hardirq " + vector + " (" + first.name() + ")"),
        withAccounting, null);
  }

  void handlerExited(CpuActor cpu, Task task) {
    int vector = Integer.parseInt(task.comm().substring(4, task.comm().indexOf('-')));
    int left = running.merge(vector, -1, Integer::sum);
    if (left <= 0) {
      running.remove(vector);
      List<Runnable> waiting = synchronizers.remove(vector);
      if (waiting != null) waiting.forEach(Runnable::run);
    }
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
