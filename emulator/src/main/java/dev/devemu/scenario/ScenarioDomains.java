package dev.devemu.scenario;

import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.kernel.usb.UsbInterface;
import dev.devemu.sim.SimLanes;
import dev.devemu.sim.VirtualClock;
import dev.devemu.sim.domain.DomainPlan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a scenario's {@code domains} block (docs/scenarios.md, "Time domains"):
 *
 * <pre>
 * domains {
 *   cam0 = { slots = ["0000:00:05.0"] }
 *   nic  = { slots = ["0000:00:02.0", "0000:00:03.0"], link-latency = 1us }
 * }
 * </pre>
 *
 * Every device a domain does not name stays in the guest's domain, with the CPUs, the kernel and the drivers.
 */
final class ScenarioDomains {
  /** A PCIe link: a TLP takes a few hundred nanoseconds from root port to endpoint (Gen3 x4, through a switch). */
  static final long PCIE_LINK_LATENCY_NANOS = 500;

  /**
   * A USB bus: a transaction waits for its (micro)frame, so 125 us (a high-speed microframe, USB 2.0 5.3.3;
   * SuperSpeed keeps the 125 us bus interval) between the host controller and the device.
   */
  static final long USB_LINK_LATENCY_NANOS = 125_000;

  private ScenarioDomains() {}

  static DomainPlan read(ScenarioNode block, Map<String, DeviceSpec> slots, FaultPlan faults) {
    DomainPlan plan = readDomains(block, slots, faults);
    for (int i = 0; i < faults.events().size(); i++) {
      FaultPlan.Event e = faults.events().get(i);
      if (e.action() != FaultPlan.Action.LOSE_DOMAIN) continue;
      String name = e.params().domain();
      if (!plan.names().contains(name) || name.equals(DomainPlan.GUEST)) {
        throw new ScenarioException(block.file(), e.line(), "faults.events[" + i + "].domain", name.equals(DomainPlan.GUEST)
            ? "the guest's domain cannot be lost (it holds the CPUs and the kernel: the run would end)"
            : "no time domain \"" + name + "\"" + (plan.isEmpty() ? " (this scenario declares no domains block)"
                : " (domains: " + String.join(", ", plan.names().subList(1, plan.names().size())) + ")"));
      }
    }
    return plan;
  }

  private static DomainPlan readDomains(ScenarioNode block, Map<String, DeviceSpec> slots, FaultPlan faults) {
    if (block.keys().isEmpty()) return DomainPlan.NONE;
    block.allowAll();
    List<DomainPlan.Domain> out = new ArrayList<>();
    Map<String, String> owner = new HashMap<>();
    if (block.keys().size() > SimLanes.MAX_DOMAINS) {
      throw block.error("at most " + SimLanes.MAX_DOMAINS + " domains besides the guest, got " + block.keys().size());
    }
    // declaration order decides nothing: domains are ordered by name, so that the trace's canonical order is too
    for (String name : block.keys()) {
      if (name.equals(DomainPlan.GUEST)) {
        throw block.error(name, "\"guest\" is the domain of the CPUs, the kernel, the drivers and every device no "
            + "other domain names; it is not declared");
      }
      if (!name.matches("[a-z][a-z0-9_-]{0,30}")) {
        throw block.error(name, "a domain name is a lower-case word (letters, digits, - and _), got \"" + name + "\"");
      }
      ScenarioNode d = block.child(name);
      List<String> members = d.strings("slots");
      boolean anyUsb = false;
      boolean anyPci = false;
      if (members.isEmpty()) throw d.error("slots", "a domain holds at least one device slot");
      for (String slot : members) {
        DeviceSpec spec = slots.get(slot);
        if (spec == null) {
          throw d.error("slots", "no device of this scenario is in slot " + slot + " (slots: "
              + String.join(", ", slots.keySet()) + ")");
        }
        boolean pci = !spec.enumerated().isEmpty() && spec.enumerated().stream().allMatch(b -> b instanceof PciFunction);
        boolean usb = !spec.enumerated().isEmpty() && spec.enumerated().stream().allMatch(b -> b instanceof UsbInterface);
        if (!pci && !usb) {
          throw d.error("slots", "slot " + slot + " holds a " + spec.type() + ", neither a PCI nor a USB device: "
              + "only those can be placed in a time domain (docs/domains.md)");
        }
        if (usb) anyUsb = true;
        else anyPci = true;
        String before = owner.putIfAbsent(slot, name);
        if (before != null) throw d.error("slots", "slot " + slot + " is already in domain " + before);
      }
      if (anyUsb && anyPci) {
        throw d.error("slots", "a domain holds PCI or USB devices, not both (they sit behind different links)");
      }
      long latency = d.duration("link-latency", anyUsb ? USB_LINK_LATENCY_NANOS : PCIE_LINK_LATENCY_NANOS, 1);
      if (latency > 10 * VirtualClock.MILLISECOND) {
        throw d.error("link-latency", "a link latency above 10ms makes no machine; got " + latency + " ns");
      }
      d.rejectUnknown();
      out.add(new DomainPlan.Domain(name, latency, members));
    }
    for (FaultPlan.Event e : faults.events()) {
      if (e.when() != null && e.slot() != null && owner.containsKey(e.slot())) {
        throw new ScenarioException(block.file(), e.line(), "faults",
            "a fault waiting for a moment (when = " + e.when() + ") of slot " + e.slot() + ", which is in time domain "
                + owner.get(e.slot()) + ": a device's moments are not carried across links yet (docs/domains.md)");
      }
    }
    for (FaultPlan.Recurring r : faults.recurring()) {
      if (r.when() != null && r.slot() != null && owner.containsKey(r.slot())) {
        throw new ScenarioException(block.file(), r.line(), "faults",
            "a recurring fault waiting for a moment (when = " + r.when() + ") of slot " + r.slot() + ", which is in "
                + "time domain " + owner.get(r.slot()) + ": a device's moments are not carried across links yet");
      }
    }
    if (!owner.isEmpty()) {
      // A device model draws its own fault points (ipu6_*) from the kernel's fault plan, a direct call that
      // would cross the link: off for a device in a domain of its own, so a plan that asks for them is refused.
      java.util.Set<String> kernelPoints = new dev.devemu.kernel.KernelFaultPoints().faultPoints().keySet();
      java.util.Set<String> asked = new java.util.TreeSet<>(faults.probabilities().keySet());
      for (FaultPlan.Event e : faults.events()) {
        if (e.params() != null && e.params().point() != null) asked.add(e.params().point());
      }
      for (String point : asked) {
        if (!kernelPoints.contains(point) && dev.devemu.fault.FaultPoints.known(point)) {
          throw new ScenarioException(block.file(), 0, "faults", "fault point " + point + " belongs to a device "
              + "model, and device models in a time domain of their own do not draw fault points yet (domains: "
              + String.join(", ", new java.util.TreeSet<>(owner.values())) + ")");
        }
      }
    }
    return new DomainPlan(out);
  }
}
