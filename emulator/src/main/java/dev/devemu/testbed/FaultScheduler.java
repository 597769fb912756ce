package dev.devemu.testbed;

import dev.devemu.fault.Moments;
import dev.devemu.hw.BusEvents;
import dev.devemu.hw.machine.Cpu;
import dev.devemu.kernel.CpuActor;
import dev.devemu.kernel.Kernel;
import dev.devemu.scenario.FaultPlan;
import dev.devemu.sim.Cause;
import dev.devemu.sim.SimRandom;
import dev.devemu.sim.SimRun;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Plays a scenario's fault plan on the virtual clock: fixed-time events, events that wait for a life-cycle moment
 * of a slot ({@link Moments}), and recurring events drawn from a Poisson process with a random stream of their
 * own. Device actions go to the bus that owns the slot as {@link BusEvents}; {@code fail} and spurious
 * interrupts on no device are done here, on the kernel.
 */
final class FaultScheduler {
  private final Kernel kernel;
  private final SimRun run;
  private final FaultPlan plan;
  /** The buses of the slots the plan names: the only slots it will send events to. */
  private final Map<String, Consumer<BusEvents.Event>> routes = new TreeMap<>();
  private final java.util.Set<String> planSlots = new java.util.TreeSet<>();
  private final BooleanSupplier finished;
  private final SimRandom random;
  private int hotplugEvents;
  private int actions;

  FaultScheduler(Kernel kernel, SimRun run, FaultPlan plan, BooleanSupplier finished) {
    this.kernel = kernel;
    this.run = run;
    this.plan = plan;
    for (FaultPlan.Event e : plan.events()) if (e.slot() != null) planSlots.add(e.slot());
    for (FaultPlan.Recurring r : plan.recurring()) if (r.slot() != null) planSlots.add(r.slot());
    this.finished = finished;
    this.random = run.random().fork("fault-plan");
  }

  /**
   * The bus that owns {@code slot} takes its events through {@code bus}. Remembered only for a slot the plan names
   * (a machine of 100,000 devices with a plan for two of them needs two routes, not 100,000).
   */
  void route(String slot, Consumer<BusEvents.Event> bus) {
    if (planSlots.contains(slot)) routes.put(slot, bus);
  }

  /**
   * Routes are also kept for {@code slots} (the devices of the time domains, which a loss removes whether the plan
   * names them or not).
   */
  void routeAlso(java.util.Collection<String> slots) {
    planSlots.addAll(slots);
  }

  /**
   * The time domain {@code domain} is lost (docs/domains.md, "A lost domain"): each of its devices is
   * surprise-removed, as when the node that ran it dies. On the guest's lane, at the loss's virtual time.
   */
  void loseDomain(String domain, java.util.List<String> slots) {
    if (finished.getAsBoolean()) return;
    kernel.printk("devemu: time domain " + domain + " lost: surprise removal of " + String.join(", ", slots));
    for (String slot : slots) {
      apply(FaultPlan.Action.SURPRISE_UNPLUG, slot, FaultPlan.Params.NONE, 0, "time domain " + domain + " lost");
    }
  }

  void start() {
    for (FaultPlan.Event e : plan.events()) {
      // a lost domain is lost between two rounds of the domain run, not on the guest's clock (Runner plans it)
      if (e.action() == FaultPlan.Action.LOSE_DOMAIN) continue;
      String why = "fault plan (line " + e.line() + ")";
      kernel.clock().schedule(e.atNanos(), "fault " + e.action().word() + " " + e.slot(),
          () -> whenReady(e.when(), e.slot(), () -> apply(e.action(), e.slot(), e.params(), e.restoreAfterNanos(), why)));
    }
    for (FaultPlan.Recurring r : plan.recurring()) {
      SimRandom stream = run.random().fork("fault:" + r.action().word() + ":" + r.slot() + ":" + r.line());
      scheduleRecurring(r, stream);
    }
  }

  private void whenReady(Moments.Moment when, String slot, Runnable action) {
    if (finished.getAsBoolean()) return;
    if (when == null) action.run();
    else kernel.moments().await(slot, when, action);
  }

  private void scheduleRecurring(FaultPlan.Recurring r, SimRandom stream) {
    long delay = Math.max(1, (long) stream.nextExponential(r.meanIntervalNanos()));
    String why = "recurring fault (line " + r.line() + ")";
    kernel.clock().schedule(delay, "fault " + r.action().word() + " " + r.slot(), () -> whenReady(r.when(), r.slot(), () -> {
      apply(r.action(), r.slot(), r.params(), r.restoreAfterNanos(), why);
      scheduleRecurring(r, stream);
    }));
  }

  private void apply(FaultPlan.Action action, String slot, FaultPlan.Params params, long restoreAfterNanos, String why) {
    if (finished.getAsBoolean()) return;
    actions++;
    Cause cause = Cause.root("fault-plan", kernel.now(), action.word() + (slot == null ? "" : " " + slot)
        + " (" + (params.point() != null ? params.point() + ", " : "") + why + ")");
    switch (action) {
      case PLUG -> bus(slot, new BusEvents.HotPlug(slot, cause));
      case UNPLUG -> bus(slot, new BusEvents.HotUnplug(slot, false, cause));
      case SURPRISE_UNPLUG -> bus(slot, new BusEvents.HotUnplug(slot, true, cause));
      case LINK_DOWN -> bus(slot, new BusEvents.LinkChanged(slot, false, cause));
      case LINK_UP -> bus(slot, new BusEvents.LinkChanged(slot, true, cause));
      case STALL -> bus(slot, new BusEvents.DeviceStall(slot, true, cause));
      case UNSTALL -> bus(slot, new BusEvents.DeviceStall(slot, false, cause));
      case SPURIOUS_IRQ, IRQ_STORM -> {
        int count = action == FaultPlan.Action.SPURIOUS_IRQ ? 1 : params.count();
        if (slot != null) bus(slot, new BusEvents.InterruptBurst(slot, count, params.intervalNanos(), cause));
        else unassignedVector(count, params.intervalNanos(), cause);
      }
      case FAIL -> kernel.faults().failNext(params.point(), params.count());
      case LOSE_DOMAIN -> { } // see loseDomain
    }
    switch (action) {
      case PLUG, UNPLUG, SURPRISE_UNPLUG, LINK_DOWN, LINK_UP -> hotplugEvents++;
      default -> { }
    }
    FaultPlan.Action back = action.inverse();
    if (restoreAfterNanos > 0 && back != null) {
      kernel.clock().schedule(restoreAfterNanos, "fault " + back.word() + " " + slot,
          () -> apply(back, slot, FaultPlan.Params.NONE, 0, "restore after " + why));
    }
  }

  private void bus(String slot, BusEvents.Event event) {
    Consumer<BusEvents.Event> bus = routes.get(slot);
    if (bus == null) kernel.printk("fault plan: no bus owns slot " + slot + "; " + event.traceText() + " dropped");
    else bus.accept(event);
  }

  /** A vector nobody registered fires on a CPU: {@code do_IRQ: N.V No irq handler for vector}. */
  private void unassignedVector(int left, long intervalNanos, Cause cause) {
    if (finished.getAsBoolean() || left <= 0) return;
    int cpu = random.nextInt(kernel.cpuCount());
    int vector = kernel.irqs().unassignedVector(cpu);
    if (vector >= 0) kernel.cpu(cpu).tell(new Cpu.IrqRaised(vector, cause));
    if (left > 1) {
      kernel.clock().schedule(intervalNanos, "spurious interrupt", () -> unassignedVector(left - 1, intervalNanos, cause));
    }
  }

  /** Hot-plug and link events applied so far. */
  int hotplugEvents() {
    return hotplugEvents;
  }

  /** Every fault-plan action applied so far. */
  int actions() {
    return actions;
  }
}
