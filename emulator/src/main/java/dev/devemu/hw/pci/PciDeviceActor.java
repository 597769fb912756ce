package dev.devemu.hw.pci;

import dev.devemu.fault.Moments;
import dev.devemu.hw.HostBound;
import dev.devemu.hw.machine.Cpu;
import dev.devemu.hw.machine.IrqChipActor;
import dev.devemu.sim.Cause;
import dev.devemu.sim.SimRandom;
import dev.devemu.sim.Traceable;
import dev.devemu.sim.VirtualClock;
import dev.devemu.spec.DmaDirection;
import dev.devemu.spec.pci.PciAddress;
import dev.devemu.wire.CrossNode;
import dev.devemu.wire.LocalOnly;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The bus glue around a {@link PciDeviceModel}: answers configuration and BAR accesses, keeps the MSI-X table,
 * sends MSI writes and DMA requests, and plays dead after a removal — reads return all ones, writes vanish,
 * interrupts and DMA stop.
 */
public final class PciDeviceActor extends dev.devemu.sim.LeanBehavior<PciDeviceActor.Command>
    implements DeviceContext {

  /** Messages a PCI device understands. */
  public interface Command {}

  /** A non-posted read of configuration space or a BAR. */
  public record MmioRead(Space space, long offset, int size, int pid, long episode,
      ActorRef<Cpu.Message> replyTo, Cause cause)
      implements Command, CrossNode, Traceable, dev.devemu.sim.domain.LinkRequest {
    @Override
    public String traceText() {
      return "MmioRead(" + space + "+0x" + Long.toHexString(offset) + "/" + size + ")";
    }

    /** The device's time domain is lost with the read in flight: the root port's completion timer expires. */
    @Override
    public long completionTimeoutNanos() {
      return COMPLETION_TIMEOUT_NANOS;
    }

    /** All ones, completed as an unsupported request: what a read of a card that is gone returns. */
    @Override
    public void answerUnreachable() {
      replyTo.tell(new Cpu.MmioReadCompleted(pid, episode, size >= 8 ? -1L : (1L << (8 * size)) - 1, true));
    }

    @Override
    public boolean answeredBy(Object message) {
      return message instanceof Cpu.MmioReadCompleted c && c.pid() == pid && c.episode() == episode;
    }
  }

  /** A posted write to configuration space or a BAR. */
  public record MmioWrite(Space space, long offset, int size, long value, Cause cause)
      implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "MmioWrite(" + space + "+0x" + Long.toHexString(offset) + "/" + size + "=0x" + Long.toHexString(value) + ")";
    }
  }

  /** The host bridge finished a DMA transfer the device asked for. */
  public record DmaCompleted(long tag, int status, int length) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "DmaCompleted(tag " + tag + ", " + status + ")";
    }
  }

  /** The bus enumerates the slot: reply with the configuration space. */
  public record Enumerate(ActorRef<HostBound> replyTo) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "Enumerate";
    }
  }

  /** The device's answer to {@link Enumerate}: its configuration space and the size of each BAR. */
  public record Enumerated(PciAddress address, byte[] config, long[] barSizes)
      implements HostBound, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "Enumerated(" + address + ")";
    }

    // by content: a copy that crossed a node is the same answer
    @Override
    public boolean equals(Object o) {
      return o instanceof Enumerated e && address.equals(e.address) && java.util.Arrays.equals(config, e.config)
          && java.util.Arrays.equals(barSizes, e.barSizes);
    }

    @Override
    public int hashCode() {
      return address.hashCode() * 31 + java.util.Arrays.hashCode(config);
    }
  }

  /** The device leaves the bus (or comes back when {@code present} is true). */
  public record SetPresent(boolean present, boolean surprise) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "SetPresent(" + present + (surprise ? ", surprise" : "") + ")";
    }
  }

  /**
   * The fault plan makes the device signal its interrupt vector {@code count} times, {@code intervalNanos} apart,
   * with nothing new to report: one spurious interrupt, or a storm.
   */
  public record InjectInterrupts(int count, long intervalNanos, Cause cause) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "InjectInterrupts(" + count + ")";
    }
  }

  /**
   * The fault plan makes the device stop answering (or answer again): non-posted reads then end in a PCIe
   * completion timeout, for which the root complex returns all ones; writes are lost; no interrupt and no DMA
   * leaves the device.
   */
  public record SetStalled(boolean stalled, Cause cause) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "SetStalled(" + stalled + ")";
    }
  }

  private record InjectedInterrupt(int left, long intervalNanos, Cause cause) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "InjectedInterrupt(" + left + " left)";
    }
  }

  /** {@code local}: scheduled with {@link DeviceContext#scheduleLocal}; its handling may not send anything. */
  private record ModelTimer(Object token, boolean local) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "ModelTimer(" + token + ")";
    }
  }

  /** Address spaces of a function. */
  public enum Space {
    CONFIG, BAR0, BAR1, BAR2, BAR3, BAR4, BAR5;

    public int bar() {
      return ordinal() - 1;
    }

    private static final Space[] ALL = values(); // values() copies the array on every call

    public static Space bar(int i) {
      return ALL[i + 1];
    }
  }

  private static final long MSIX_ENTRY = 16;
  private static final long[] NO_MSIX = new long[0];

  /**
   * How long a non-posted request to a device that does not answer waits before the root port gives up and
   * returns all ones. PCIe Base Spec 2.3.2 ("Completion Timeout Mechanism"): the default range is 50 us to 50 ms;
   * we take its upper end.
   */
  public static final long COMPLETION_TIMEOUT_NANOS = 50 * VirtualClock.MILLISECOND;

  private final PciAddress address;
  private final String name;
  private final PciDeviceModel model;
  private final PciConfigSpace config;
  private final ActorRef<IrqChipActor.Command> irqChip;
  private final ActorRef<HostBridgeActor.Command> hostBridge;
  private final VirtualClock clock;
  private java.util.function.Supplier<SimRandom> randomSource;
  private SimRandom random;
  private final long[] msixTable;
  /** MSI Pending Bits: vectors raised while masked (kept as hardware keeps them; nothing reads them back yet). */
  private long msiPending;
  private final Moments.Slot moments;
  private boolean present = true;
  private boolean stalled;

  public static Behavior<Command> create(PciAddress address, PciDeviceModel model,
      ActorRef<IrqChipActor.Command> irqChip, ActorRef<HostBridgeActor.Command> hostBridge, VirtualClock clock,
      SimRandom random) {
    return create(address, model, irqChip, hostBridge, clock, () -> random, address.toString(),
        new Moments().slot(address.toString()));
  }

  /** As below, with moments nobody waits for (devices built outside a testbed). */
  public static Behavior<Command> create(PciAddress address, PciDeviceModel model,
      ActorRef<IrqChipActor.Command> irqChip, ActorRef<HostBridgeActor.Command> hostBridge, VirtualClock clock,
      java.util.function.Supplier<SimRandom> random, String name) {
    return create(address, model, irqChip, hostBridge, clock, random, name, new Moments().slot(name));
  }

  /**
   * @param random the device's random stream, created on first use (an idle device never needs one)
   * @param name the address as text, shared with the bus
   * @param moments where the glue signals the slot's interrupts and DMA transfers, for faults that wait for them
   */
  public static Behavior<Command> create(PciAddress address, PciDeviceModel model,
      ActorRef<IrqChipActor.Command> irqChip, ActorRef<HostBridgeActor.Command> hostBridge, VirtualClock clock,
      java.util.function.Supplier<SimRandom> random, String name, Moments.Slot moments) {
    return new PciDeviceActor(address, name, model, irqChip, hostBridge, clock, random, moments);
  }

  private PciDeviceActor(PciAddress address, String name, PciDeviceModel model,
      ActorRef<IrqChipActor.Command> irqChip, ActorRef<HostBridgeActor.Command> hostBridge, VirtualClock clock,
      java.util.function.Supplier<SimRandom> random, Moments.Slot moments) {
    this.moments = moments;
    this.address = address;
    this.name = name;
    this.model = model;
    this.config = model.config();
    this.irqChip = irqChip;
    this.hostBridge = hostBridge;
    this.clock = clock;
    this.randomSource = random;
    int entries = config.msixCapability() >= 0 ? config.msixTableSize() : 0;
    this.msixTable = entries == 0 ? NO_MSIX : new long[entries * 2];
    for (int i = 0; i < entries; i++) msixTable[2 * i + 1] = 1L << 32; // vector control: masked at reset
  }

  @Override
  protected Behavior<Command> onMessage(Command m) {
    if (m instanceof MmioRead r) return onRead(r);
    if (m instanceof MmioWrite w) return onWrite(w);
    if (m instanceof ModelTimer t) return onTimer(t);
    if (m instanceof DmaCompleted d) return onDmaCompleted(d);
    if (m instanceof Enumerate e) return onEnumerate(e);
    if (m instanceof SetPresent p) return onSetPresent(p);
    if (m instanceof InjectInterrupts i) return onInjectInterrupts(i);
    if (m instanceof InjectedInterrupt i) return onInjectedInterrupt(i);
    if (m instanceof SetStalled st) return onSetStalled(st);
    return Behaviors.unhandled();
  }

  private Behavior<Command> onRead(MmioRead m) {
    if (stalled && present) {
      // Nobody answers the TLP: the root port's completion timer expires and it completes the read with all ones.
      long ones = m.size() >= 8 ? -1L : (1L << (8 * m.size())) - 1;
      clock.schedule(COMPLETION_TIMEOUT_NANOS, name + " completion timeout",
          () -> m.replyTo().tell(new Cpu.MmioReadCompleted(m.pid(), m.episode(), ones, true)));
      return this;
    }
    long value;
    boolean ur = !present;
    if (!present || (m.space() != Space.CONFIG && !config.memoryEnabled())) {
      // Gone, or memory decoding off: nobody claims the TLP and the root complex answers with all ones.
      ur = true;
      value = m.size() >= 8 ? -1L : (1L << (8 * m.size())) - 1;
    } else if (m.space() == Space.CONFIG) {
      value = config.read((int) m.offset(), m.size()) & 0xFFFFFFFFL;
    } else if (inMsixTable(m.space(), m.offset())) {
      value = readMsix(m.offset(), m.size());
    } else {
      value = model.readBar(m.space().bar(), m.offset(), m.size(), this);
    }
    m.replyTo().tell(new Cpu.MmioReadCompleted(m.pid(), m.episode(), value, ur));
    return this;
  }

  private Behavior<Command> onWrite(MmioWrite m) {
    if (stalled && m.space() != Space.CONFIG) return this; // posted: lost without a trace
    if (!present || (m.space() != Space.CONFIG && !config.memoryEnabled())) return this;
    if (m.space() == Space.CONFIG) {
      config.write((int) m.offset(), m.size(), (int) m.value());
      model.configWritten((int) m.offset(), m.size(), this);
    } else if (inMsixTable(m.space(), m.offset())) {
      writeMsix(m.offset(), m.size(), m.value());
    } else {
      model.writeBar(m.space().bar(), m.offset(), m.size(), m.value(), this);
    }
    return this;
  }

  private Behavior<Command> onDmaCompleted(DmaCompleted m) {
    moments.leave(Moments.Moment.WITH_DMA_IN_FLIGHT);
    if (present) model.onDmaCompleted(m.tag(), m.status(), m.length(), this);
    return this;
  }

  private Behavior<Command> onTimer(ModelTimer m) {
    if (!present) return this;
    if (!m.local()) {
      model.onTimer(m.token(), this);
      return this;
    }
    inLocalTimer = m.token();
    try {
      model.onTimer(m.token(), this);
    } finally {
      inLocalTimer = null;
    }
    return this;
  }

  /** The token of the local timer being handled, or null (see {@link DeviceContext#scheduleLocal}). */
  private Object inLocalTimer;

  private void notInLocalTimer(String what) {
    if (inLocalTimer != null) {
      throw new IllegalStateException(name + ": the model " + what + " while handling its local timer "
          + inLocalTimer + " (scheduleLocal promises that handling it sends nothing)");
    }
  }

  private Behavior<Command> onEnumerate(Enumerate m) {
    if (present) m.replyTo().tell(new Enumerated(address, config.snapshot(), barSizes()));
    return this;
  }

  private Behavior<Command> onSetPresent(SetPresent m) {
    if (m.present() == present) return this;
    present = m.present();
    if (present) stalled = false; // a card put back in is a fresh one
    config.linkActive(present);
    if (present) model.onReset(this);
    else model.onRemoved(m.surprise(), this);
    return this;
  }

  private Behavior<Command> onInjectInterrupts(InjectInterrupts m) {
    if (m.count() > 0) onInjectedInterrupt(new InjectedInterrupt(m.count(), m.intervalNanos(), m.cause()));
    return this;
  }

  private Behavior<Command> onInjectedInterrupt(InjectedInterrupt m) {
    raiseInterrupt(0, m.cause());
    if (m.left() > 1) {
      ActorRef<Command> self = self();
      InjectedInterrupt next = new InjectedInterrupt(m.left() - 1, m.intervalNanos(), m.cause());
      clock.schedule(m.intervalNanos(), name, () -> self.tell(next));
    }
    return this;
  }

  private Behavior<Command> onSetStalled(SetStalled m) {
    stalled = m.stalled();
    return this;
  }

  private long[] barSizes() {
    long[] sizes = new long[6];
    for (int i = 0; i < 6; i++) sizes[i] = config.barSize(i);
    return sizes;
  }

  // ---- MSI-X table, kept by the glue so every model gets it right ----

  private boolean inMsixTable(Space space, long offset) {
    if (msixTable.length == 0 || space == Space.CONFIG || space.bar() != config.msixTableBar()) return false;
    long start = config.msixTableOffset();
    return offset >= start && offset < start + msixTable.length / 2 * MSIX_ENTRY;
  }

  private long readMsix(long offset, int size) {
    long rel = offset - config.msixTableOffset();
    int entry = (int) (rel / MSIX_ENTRY);
    int word = (int) (rel % MSIX_ENTRY) / 4;
    long v = switch (word) {
      case 0 -> msixTable[2 * entry] & 0xFFFFFFFFL;
      case 1 -> msixTable[2 * entry] >>> 32;
      case 2 -> msixTable[2 * entry + 1] & 0xFFFFFFFFL;
      default -> msixTable[2 * entry + 1] >>> 32;
    };
    return size == 8 && word % 2 == 0 ? v | (readMsix(offset + 4, 4) << 32) : v;
  }

  private void writeMsix(long offset, int size, long value) {
    long rel = offset - config.msixTableOffset();
    int entry = (int) (rel / MSIX_ENTRY);
    int word = (int) (rel % MSIX_ENTRY) / 4;
    if (size == 8) {
      writeMsix(offset, 4, value & 0xFFFFFFFFL);
      writeMsix(offset + 4, 4, value >>> 32);
      return;
    }
    int idx = 2 * entry + (word / 2);
    long old = msixTable[idx];
    msixTable[idx] = word % 2 == 0 ? (old & 0xFFFFFFFF00000000L) | (value & 0xFFFFFFFFL)
        : (old & 0xFFFFFFFFL) | (value << 32);
  }

  // ---- DeviceContext ----

  @Override
  public PciAddress address() {
    return address;
  }

  @Override
  public long now() {
    return clock.now();
  }

  @Override
  public SimRandom random() {
    if (random == null) {
      random = randomSource.get();
      randomSource = null;
    }
    return random;
  }

  @Override
  public void schedule(long delayNanos, Object token) {
    ActorRef<Command> self = self();
    notInLocalTimer("scheduled an ordinary timer");
    clock.schedule(delayNanos, name, () -> self.tell(new ModelTimer(token, false)));
  }

  @Override
  public void scheduleLocal(long delayNanos, Object token) {
    ActorRef<Command> self = self();
    clock.scheduleLocal(delayNanos, name, () -> self.tell(new ModelTimer(token, true)));
  }

  @Override
  public boolean raiseInterrupt(int vector, Cause cause) {
    notInLocalTimer("raised an interrupt");
    if (!present || stalled || !config.busMaster()) return false;
    long addr;
    int data;
    if (config.msixEnabled()) {
      if (config.msixMaskAll() || vector >= msixTable.length / 2 || ((msixTable[2 * vector + 1] >>> 32) & 1) != 0) {
        return false;
      }
      addr = msixTable[2 * vector];
      data = (int) msixTable[2 * vector + 1];
    } else if (config.msiEnabled()) {
      if (vector >= config.msiVectorsEnabled() || config.msiMasked(vector)) {
        msiPending |= 1L << vector;
        return false;
      }
      addr = config.msiAddress();
      data = config.msiData() | vector;
    } else {
      return false; // INTx is not modelled: a driver must enable MSI or MSI-X
    }
    irqChip.tell(new IrqChipActor.MsiWrite(addr, data, name, cause.thenLazy(name, Cause.NO_CPU, now(),
        () -> "MSI vector " + vector)));
    moments.pulse(Moments.Moment.WITH_IRQ_PENDING);
    return true;
  }

  @Override
  public boolean dma(long busAddress, int length, DmaDirection direction, long tag, Cause cause) {
    notInLocalTimer("started a DMA transfer");
    if (!present || stalled || !config.busMaster()) return false;
    moments.enter(Moments.Moment.WITH_DMA_IN_FLIGHT);
    hostBridge.tell(new HostBridgeActor.DmaTransfer(name, busAddress, length, direction, tag,
        self(), cause.thenLazy(name, Cause.NO_CPU, now(), () -> "DMA " + direction + " " + length + " bytes")));
    return true;
  }

  @Override
  public Cause cause(String what) {
    return Cause.root(name, now(), what);
  }

  @Override
  public Cause cause(java.util.function.Supplier<String> what) {
    return Cause.rootLazy(name, Cause.NO_CPU, now(), what);
  }

  @Override
  public boolean present() {
    return present;
  }
}
