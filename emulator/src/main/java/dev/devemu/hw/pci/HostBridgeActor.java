package dev.devemu.hw.pci;

import dev.devemu.hw.machine.Host;
import dev.devemu.sim.Cause;
import dev.devemu.sim.Traceable;
import dev.devemu.spec.DmaDirection;
import dev.devemu.wire.CrossNode;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The PCIe host bridge's side of DMA: a device asks to read or write a bus address; the bridge translates it
 * (through the IOMMU if one is on, else by the direct map), touches memory — where KASAN watches — and tells
 * the device the transfer is done. What memory holds is the guest's business: the bridge asks the {@link Host}.
 */
public final class HostBridgeActor {
  private HostBridgeActor() {}

  /** Messages the host bridge understands. */
  public interface Command {}

  /** A device moves {@code length} bytes between itself and {@code busAddress}. */
  public record DmaTransfer(String device, long busAddress, int length, DmaDirection direction, long tag,
      ActorRef<PciDeviceActor.Command> replyTo, Cause cause) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "DmaTransfer(" + device + ", " + direction + ", " + length + ")";
    }
  }

  public static Behavior<Command> create(Host host) {
    return Behaviors.receive(Command.class)
        .onMessage(DmaTransfer.class, m -> {
          int status = host.dmaTransfer(m.device(), m.busAddress(), m.length(), m.direction(), m.tag(), m.cause());
          m.replyTo().tell(new PciDeviceActor.DmaCompleted(m.tag(), status, status == 0 ? m.length() : 0));
          return Behaviors.same();
        })
        .build();
  }
}
