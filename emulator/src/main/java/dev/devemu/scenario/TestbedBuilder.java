package dev.devemu.scenario;

import dev.devemu.hw.BusEvents;
import dev.devemu.hw.machine.Host;
import dev.devemu.hw.machine.IrqChipActor;
import dev.devemu.hw.pci.HostBridgeActor;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.sim.SimRandom;
import dev.devemu.sim.SimRun;
import dev.devemu.userspace.ProcessActor;
import dev.devemu.userspace.UserProgram;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;

/**
 * What device, driver, bus and workload plug-ins use to put themselves into a testbed while it is being built:
 * the kernel, the platform's actors, the buses, and a way to spawn actors on the testbed's lane. Actors spawned
 * here are children of the testbed root and run on its lane.
 */
public interface TestbedBuilder {
  /** Passed to start actions: the running machine. */
  record Started(Kernel kernel) {}

  Kernel kernel();

  /** The kernel as the hardware sees it: clock, CPUs, memory as bus masters reach it. */
  Host host();

  SimRun run();

  Scenario scenario();

  ActorRef<IrqChipActor.Command> irqChip();

  ActorRef<HostBridgeActor.Command> hostBridge();

  /** A random stream of its own for a named component, stable across runs of the same seed. */
  default SimRandom random(String component) {
    return run().random().fork(component);
  }

  /** Spawns a child of the testbed root on the same lane. Names become actor ids in traces. */
  <T> ActorRef<T> spawn(Behavior<T> behavior, String name);

  /**
   * Spawns the actor of the device in {@code slot}: like {@link #spawn}, but in the slot's time domain when the
   * scenario puts the slot in one (then the actor runs on that domain's lane and everything it exchanges with
   * the rest of the machine crosses a link).
   */
  default <T> ActorRef<T> spawnDevice(String slot, Behavior<T> behavior, String name) {
    return spawn(behavior, name);
  }

  /** The clock the device model in {@code slot} keeps time by: its time domain's (the guest's without domains). */
  default dev.devemu.sim.VirtualClock deviceClock(String slot) {
    return host().clock();
  }

  /** True if the device in {@code slot} is in a time domain of its own (not the guest's). */
  default boolean inOwnDomain(String slot) {
    return false;
  }

  /** This testbed's bus of the given class ({@code testbed.bus(PciBus.class).addDevice(…)}). */
  <B extends TestbedBus> B bus(Class<B> type);

  /** Loads a driver: the bus whose devices it is for takes it. */
  void loadDriver(DriverEntry<?, ?> driver);

  /**
   * Declares which bus owns a slot: the fault plan's events for it (hot-plug, stalls, interrupt bursts) go to
   * {@code bus}. Buses call it for their slots when they start.
   */
  void route(String slot, Consumer<BusEvents.Event> bus);

  /**
   * Starts a user-space process running {@code program} after {@code startDelayNanos} of virtual time; its system
   * calls run on any CPU. Its random stream is forked from the run's seed by {@code comm} and its pid.
   */
  ActorRef<ProcessActor.Command> spawnProcess(String comm, UserProgram program, long startDelayNanos);

  /** Runs {@code action} once the machine has booted (buses enumerated, timers armed). */
  void onStart(Consumer<Started> action);
}
