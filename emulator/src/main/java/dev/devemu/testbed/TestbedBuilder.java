package dev.devemu.testbed;

import dev.devemu.kernel.fs.Vfs;
import dev.devemu.hw.pci.HostBridgeActor;
import dev.devemu.spec.pci.PciAddress;
import dev.devemu.kernel.pci.PciBusActor;
import dev.devemu.hw.pci.PciDeviceActor;
import dev.devemu.hw.pci.PciDeviceModel;
import dev.devemu.kernel.pci.PciDriverEntry;
import dev.devemu.kernel.usb.UsbBusActor;
import dev.devemu.hw.usb.UsbDeviceActor;
import dev.devemu.hw.usb.UsbDeviceModel;
import dev.devemu.kernel.usb.UsbDriverEntry;
import dev.devemu.spec.usb.UsbPort;
import dev.devemu.hw.machine.IrqChipActor;
import dev.devemu.kernel.Kernel;
import dev.devemu.scenario.Scenario;
import dev.devemu.sim.SimRandom;
import dev.devemu.sim.SimRun;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * What device specs, drivers and workloads use to put themselves into a testbed while it is being built: the
 * kernel, the platform actors, and registration with the buses. Actors spawned here are children of the
 * testbed root and run on its lane.
 */
public final class TestbedBuilder {
  private final ActorContext<?> ctx;
  private final Kernel kernel;
  private final Scenario scenario;
  private ActorRef<IrqChipActor.Command> irqChip;
  private ActorRef<HostBridgeActor.Command> hostBridge;
  private final List<PciBusActor.Slot> pciSlots = new ArrayList<>();
  private final List<PciDriverEntry> pciDrivers = new ArrayList<>();
  private final List<dev.devemu.kernel.platform.PlatformBusActor.Slot> platformDevices = new ArrayList<>();
  private final List<dev.devemu.kernel.platform.PlatformDriverEntry> platformDrivers = new ArrayList<>();
  private final List<UsbBusActor.Slot> usbSlots = new ArrayList<>();
  private final List<UsbDriverEntry> usbDrivers = new ArrayList<>();
  private final List<Consumer<Testbed.Started>> onStart = new ArrayList<>();
  private final List<ActorRef<?>> watched = new ArrayList<>();
  private final java.util.Map<String, java.util.function.Consumer<dev.devemu.hw.BusEvents.Event>> routes =
      new java.util.TreeMap<>();

  TestbedBuilder(ActorContext<?> ctx, Kernel kernel, Scenario scenario) {
    this.ctx = ctx;
    this.kernel = kernel;
    this.scenario = scenario;
  }

  void platform(ActorRef<IrqChipActor.Command> irqChip, ActorRef<HostBridgeActor.Command> hostBridge) {
    this.irqChip = irqChip;
    this.hostBridge = hostBridge;
  }

  public Kernel kernel() {
    return kernel;
  }

  public SimRun run() {
    return kernel.run();
  }

  public Scenario scenario() {
    return scenario;
  }

  public ActorRef<IrqChipActor.Command> irqChip() {
    return irqChip;
  }

  public ActorRef<HostBridgeActor.Command> hostBridge() {
    return hostBridge;
  }

  /** A random stream of its own for a named component, stable across runs of the same seed. */
  public SimRandom random(String component) {
    return kernel.run().random().fork(component);
  }

  /** Spawns a child of the testbed root on the same lane. Names become actor ids in traces. */
  public <T> ActorRef<T> spawn(Behavior<T> behavior, String name) {
    ActorRef<T> ref = ctx.spawn(behavior, name, DispatcherSelector.sameAsParent());
    ctx.watch(ref); // a testbed actor that throws is an emulator bug: the root hears of it and stops the run
    watched.add(ref);
    return ref;
  }

  /** Puts a PCI device model into a slot. */
  public ActorRef<PciDeviceActor.Command> addPciDevice(PciAddress address, PciDeviceModel model, boolean presentAtBoot) {
    String name = address.toString();
    ActorRef<PciDeviceActor.Command> ref = spawn(PciDeviceActor.create(address, model, irqChip, hostBridge,
        kernel.clock(), () -> random("pci:" + name), name, kernel.moments().slot(name)), "pci-" + name.replace(':', '_'));
    if (!presentAtBoot) ref.tell(new PciDeviceActor.SetPresent(false, false));
    pciSlots.add(new PciBusActor.Slot(address, ref, presentAtBoot, name, model.config()::snapshot));
    return ref;
  }

  /**
   * Starts a user-space process running {@code program} after {@code startDelayNanos} of virtual time; its system
   * calls run on any CPU. Its random stream is forked from the run's seed by {@code comm} and its pid.
   */
  public ActorRef<dev.devemu.userspace.ProcessActor.Command> spawnProcess(String comm,
      dev.devemu.userspace.UserProgram program, long startDelayNanos) {
    dev.devemu.kernel.fs.UserProcess p = Vfs.of(kernel).newProcess(comm);
    return spawn(dev.devemu.userspace.ProcessActor.create(kernel, p, program, random("proc:" + comm + ":" + p.pid()),
        -1, startDelayNanos), "proc-" + comm + "-" + p.pid());
  }

  public void addPciDriver(PciDriverEntry entry) {
    pciDrivers.add(entry);
  }

  /**
   * Declares a platform device (matched to a driver by name); present at boot, it is added and bound then. Its name
   * is its slot for the fault plan: {@code unplug} unregisters it (the driver's remove runs), {@code plug} adds it.
   */
  public void addPlatformDevice(String name, boolean presentAtBoot) {
    platformDevices.add(new dev.devemu.kernel.platform.PlatformBusActor.Slot(name, presentAtBoot));
  }

  public void addPlatformDriver(dev.devemu.kernel.platform.PlatformDriverEntry entry) {
    platformDrivers.add(entry);
  }

  /**
   * Declares which bus owns a slot that is not a PCI slot (a USB port …): the fault plan's events for it
   * (hot-plug, stalls, interrupt bursts) go to {@code bus}. PCI slots are routed to the PCI bus by the testbed.
   */
  public void route(String slot, java.util.function.Consumer<dev.devemu.hw.BusEvents.Event> bus) {
    routes.put(slot, bus);
  }

  java.util.Map<String, java.util.function.Consumer<dev.devemu.hw.BusEvents.Event>> routes() {
    return routes;
  }

  /**
   * Plugs a USB device model into a root-hub port. The device decides the fault points {@code usb_stall},
   * {@code usb_babble} and {@code usb_transaction_error} through the kernel's fault plan.
   */
  public ActorRef<UsbDeviceActor.Command> addUsbDevice(UsbPort port, UsbDeviceModel model, boolean presentAtBoot) {
    String name = port.toString();
    ActorRef<UsbDeviceActor.Command> ref = spawn(UsbDeviceActor.create(port, model, kernel.clock(),
        () -> random("usb:" + name), kernel.faults()::inject), "usb-" + name);
    if (!presentAtBoot) ref.tell(new UsbDeviceActor.SetPresent(false));
    usbSlots.add(new UsbBusActor.Slot(port, ref, model.speed(), presentAtBoot));
    return ref;
  }

  public void addUsbDriver(UsbDriverEntry entry) {
    usbDrivers.add(entry);
  }

  /** Runs {@code action} once the machine has booted (buses enumerated, timers armed). */
  public void onStart(Consumer<Testbed.Started> action) {
    onStart.add(action);
  }

  /**
   * Every watched child, in spawn order. Pekko keeps watches in a hash set of ActorRefs, whose order depends on
   * random uids; the root unwatches them in this order before it stops, so shutdown stays deterministic.
   */
  List<ActorRef<?>> watched() {
    return watched;
  }

  List<PciBusActor.Slot> pciSlots() {
    return pciSlots;
  }

  List<PciDriverEntry> pciDrivers() {
    return pciDrivers;
  }

  List<dev.devemu.kernel.platform.PlatformBusActor.Slot> platformDevices() {
    return platformDevices;
  }

  List<dev.devemu.kernel.platform.PlatformDriverEntry> platformDrivers() {
    return platformDrivers;
  }

  List<UsbBusActor.Slot> usbSlots() {
    return usbSlots;
  }

  List<UsbDriverEntry> usbDrivers() {
    return usbDrivers;
  }

  /** The USB host controller and bus exist only in testbeds that have a USB device or driver. */
  boolean usbInUse() {
    return !usbSlots.isEmpty() || !usbDrivers.isEmpty();
  }

  List<Consumer<Testbed.Started>> startActions() {
    return onStart;
  }
}
