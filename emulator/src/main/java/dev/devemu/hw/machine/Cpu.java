package dev.devemu.hw.machine;

import dev.devemu.sim.Cause;
import dev.devemu.sim.Traceable;
import dev.devemu.wire.CrossNode;

/**
 * What a CPU takes from the rest of the machine: interrupt vectors from its local APIC and the completions of the
 * reads it put on the bus. The code the CPU runs — the guest kernel's scheduler, {@code kernel.CpuActor} — accepts
 * these besides its own messages, so hardware sends to a CPU without knowing the kernel.
 */
public final class Cpu {
  private Cpu() {}

  /** Every message a CPU accepts; the kernel's own messages to a CPU implement it too. */
  public interface Message {}

  /** The interrupt controller delivers vector {@code vector} to this CPU. */
  public record IrqRaised(int vector, Cause cause) implements Message, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "IrqRaised(" + vector + ")";
    }
  }

  /**
   * A non-posted read completed: the value for the task that issued it. {@code unsupportedRequest} means the
   * device was gone and the root complex answered with all ones.
   */
  public record MmioReadCompleted(int pid, long episode, long value, boolean unsupportedRequest)
      implements Message, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "MmioReadCompleted(pid " + pid + ")";
    }
  }
}
