package dev.devemu.hw.machine;

import dev.devemu.sim.Cause;
import dev.devemu.sim.Traceable;
import dev.devemu.wire.CrossNode;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The interrupt controller (the local APICs' MSI decoding): a device's MSI write arrives as a memory write to
 * {@code 0xfee00000 | apic_id << 12} with the vector in its data, and becomes an interrupt on that CPU.
 */
public final class IrqChipActor {
  private IrqChipActor() {}

  /** x86's MSI address window: a write to {@code 0xfee00000 | apic_id << 12} is an interrupt message. */
  public static final long MSI_ADDRESS_BASE = 0xFEE00000L;

  /** Messages the interrupt controller understands. */
  public interface Command {}

  /** A device's MSI/MSI-X write. */
  public record MsiWrite(long address, int data, String source, Cause cause) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "MsiWrite(" + source + " -> " + Long.toHexString(address) + "/" + data + ")";
    }
  }

  public static Behavior<Command> create(Host host) {
    long[] dropped = {0};
    return Behaviors.receive(Command.class)
        .onMessage(MsiWrite.class, m -> {
          if ((m.address() & 0xFFF00000L) != MSI_ADDRESS_BASE) {
            dropped[0]++;
            host.log("DMAR: MSI write from " + m.source() + " to non-MSI address 0x" + Long.toHexString(m.address())
                + " dropped");
            return Behaviors.same();
          }
          int cpu = (int) ((m.address() >>> 12) & 0xff);
          if (cpu >= host.cpuCount()) {
            host.log("APIC: MSI from " + m.source() + " to absent APIC id " + cpu + " dropped");
            return Behaviors.same();
          }
          int vector = m.data() & 0xff;
          Cause c = m.cause() == null ? Cause.root(m.source(), host.now(), "MSI") : m.cause();
          host.cpu(cpu).tell(new Cpu.IrqRaised(vector,
              c.thenLazy("irqchip", cpu, host.now(), () -> "MSI vector " + vector + " -> cpu" + cpu)));
          return Behaviors.same();
        })
        .build();
  }
}
