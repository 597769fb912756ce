package dev.devemu.plugin.pci;

import dev.devemu.hw.HostBound;
import dev.devemu.hw.pci.PciDeviceActor;
import dev.devemu.hw.pci.PciDeviceModel;
import dev.devemu.kernel.driver.BindingChanged;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.kernel.pci.PciBusActor;
import dev.devemu.kernel.pci.PciDriverEntry;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.TestbedBus;
import dev.devemu.spec.pci.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The PCI Express hierarchy of a testbed: the functions in its slots (hardware, {@link PciDeviceActor}) and the
 * kernel's PCI bus with pciehp ({@link PciBusActor}), which enumerates them and binds drivers. Every machine has
 * one, even with no card in it.
 */
public final class PciBus implements TestbedBus {
  private final TestbedBuilder testbed;
  private final List<PciBusActor.Slot> slots = new ArrayList<>();
  private final List<PciDriverEntry> drivers = new ArrayList<>();
  private ActorRef<HostBound> bus;

  PciBus(TestbedBuilder testbed) {
    this.testbed = testbed;
  }

  /** Puts a PCI device model into a slot; a device absent at boot waits for a fault plan's {@code plug}. */
  public ActorRef<PciDeviceActor.Command> addDevice(PciAddress address, PciDeviceModel model, boolean presentAtBoot) {
    String name = address.toString();
    // A card in a time domain of its own keeps its domain's time, and signals its moments to nobody: the
    // kernel's fault plan lives in the guest's domain, across the link (the loader rejects faults waiting for them).
    ActorRef<PciDeviceActor.Command> ref = testbed.spawnDevice(name, PciDeviceActor.create(address, model,
        testbed.irqChip(), testbed.hostBridge(), testbed.deviceClock(name), () -> testbed.random("pci:" + name), name,
        testbed.inOwnDomain(name) ? new dev.devemu.fault.Moments().slot(name) : testbed.kernel().moments().slot(name)),
        "pci-" + name.replace(':', '_'));
    if (!presentAtBoot) ref.tell(new PciDeviceActor.SetPresent(false, false));
    slots.add(new PciBusActor.Slot(address, ref, presentAtBoot, name, model.config()::snapshot));
    return ref;
  }

  /** Loads a PCI driver: the bus tries it on every function its ID table matches. */
  public void addDriver(PciDriverEntry driver) {
    drivers.add(driver);
  }

  @Override
  public boolean takes(DriverEntry<?, ?> driver) {
    if (!(driver instanceof PciDriverEntry d)) return false;
    addDriver(d);
    return true;
  }

  @Override
  public boolean inUse() {
    return true;
  }

  @Override
  public void start(Consumer<BindingChanged> bindings) {
    bus = testbed.spawn(PciBusActor.create(testbed.kernel(), slots, drivers,
        testbed.scenario().machine().hotplugDetectionNanos(), bindings), "pci");
    ActorRef<HostBound> to = bus;
    for (PciBusActor.Slot slot : slots) testbed.route(slot.name(), to::tell);
  }

  @Override
  public void boot() {
    bus.tell(PciBusActor.Boot.INSTANCE);
  }
}
