package dev.devemu.hw.machine;

import dev.devemu.sim.Cause;
import dev.devemu.sim.VirtualClock;
import dev.devemu.spec.DmaDirection;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the hardware of a machine sees of the rest of it: the virtual clock, the CPUs its interrupt controller
 * delivers to, host memory as a bus master reaches it, and the log where the platform's messages (DMAR faults,
 * dropped MSIs) appear. The guest kernel provides it — it owns memory and the IOMMU's tables, and prints what the
 * platform reports — so hardware never names a kernel type.
 */
public interface Host {
  VirtualClock clock();

  default long now() {
    return clock().now();
  }

  /** True once the machine has stopped (a panic, or the end of the run): hardware raises nothing more. */
  boolean halted();

  /** A line of the kernel log, as the platform's own messages appear there. */
  void log(String line);

  int cpuCount();

  ActorRef<Cpu.Message> cpu(int apicId);

  /**
   * A device's DMA request reaching memory through the host bridge: translated by the IOMMU when it is on, by
   * the direct map when it is off, checked against what lives there.
   *
   * @return 0, or -EIO when the transfer failed (an IOMMU fault, an injected fault, a stopped machine)
   */
  int dmaTransfer(String device, long busAddress, int length, DmaDirection direction, long tag, Cause cause);

  /**
   * A host controller's bus-master access to a buffer the kernel handed it by address (an xHCI transfer ring's
   * data buffer): an access to freed or too small memory is the memory checker's to report.
   */
  void busMasterAccess(String master, long address, int length, boolean write, Cause cause,
      java.util.function.Supplier<String> what);
}
