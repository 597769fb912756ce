package dev.devemu.hw.device.pcie;

import static dev.devemu.datasheet.SamplePcieDatasheet.*;

import dev.devemu.hw.pci.DeviceContext;
import dev.devemu.hw.pci.PciConfigSpace;
import dev.devemu.hw.pci.PciDeviceModel;
import dev.devemu.sim.Cause;

/**
 * A PCIe endpoint (vendor 0x1234, device 0x5678) that samples data and signals each sample with an MSI, like
 * QEMU's {@code hw/misc/edu.c}: enable it through CONTROL and it raises interrupts at a Poisson rate, putting the
 * sample in DATA and the ring slot it belongs to in IRQ_STATUS[15:8] until the driver acknowledges it.
 * The IDs and the register map are in {@link dev.devemu.datasheet.SamplePcieDatasheet}.
 */
public final class SamplePcieDevice implements PciDeviceModel {
  private final PciConfigSpace config;
  private final double meanIntervalNanos;
  private final long sampleBudget;
  private final Runnable budgetSpent;
  private int irqStatus;
  private int data;
  private int control;
  private int samples;
  private boolean timerArmed;
  private long generation;

  /**
   * @param revision the revision ID (the driver refuses anything below 0x02)
   * @param interruptsPerSecond mean rate of samples while enabled
   */
  public SamplePcieDevice(int revision, double interruptsPerSecond) {
    this(revision, interruptsPerSecond, 0, null);
  }

  /**
   * A closed-loop device for benchmarks: with {@code interruptsPerSecond == 0} the next sample is produced as soon
   * as the driver acknowledges the previous one, without virtual time passing; after {@code sampleBudget}
   * samples it stops and calls {@code budgetSpent}.
   */
  public SamplePcieDevice(int revision, double interruptsPerSecond, long sampleBudget, Runnable budgetSpent) {
    this(revision, interruptsPerSecond, sampleBudget, budgetSpent, BAR0_SIZE, true, VENDOR, DEVICE);
  }

  /**
   * A card built wrong on purpose, as a driver test's mock device: {@code bar0Size} 0 leaves BAR0 unimplemented
   * (its register reads 0, so the kernel sees no resource), a smaller size than the datasheet's is a BAR too small
   * for the register map; {@code msi} false leaves the MSI capability out (legacy INTx only).
   */
  public SamplePcieDevice(int revision, double interruptsPerSecond, long bar0Size, boolean msi) {
    this(revision, interruptsPerSecond, 0, null, bar0Size, msi, VENDOR, DEVICE);
  }

  /** As {@link #SamplePcieDevice(int, double, long, boolean)}, the same silicon under other IDs (a rebadged card). */
  public SamplePcieDevice(int revision, double interruptsPerSecond, long bar0Size, boolean msi, int vendor, int device) {
    this(revision, interruptsPerSecond, 0, null, bar0Size, msi, vendor, device);
  }

  private SamplePcieDevice(int revision, double interruptsPerSecond, long sampleBudget, Runnable budgetSpent,
      long bar0Size, boolean msi, int vendor, int device) {
    this.sampleBudget = sampleBudget;
    this.budgetSpent = budgetSpent;
    PciConfigSpace.Builder b = PciConfigSpace.builder(vendor, device)
        .revision(revision)
        .classCode(0xff0000) // unassigned class: a device of its own
        .subsystem(0x1af4, 0x1100)
        .interruptPin(1);
    if (bar0Size > 0) b.memoryBar(0, bar0Size, false, false);
    b.powerManagement();
    if (msi) b.msi(1, true);
    this.config = b.express(3, 4).build();
    this.meanIntervalNanos = interruptsPerSecond > 0 ? 1e9 / interruptsPerSecond : 0;
  }

  /**
   * The card as a small DSP: while enabled, its ADC converts a value every {@code periodNanos} and a
   * {@code taps}-tap FIR low-pass filter (integer arithmetic, the same in every JVM) runs over the last
   * {@code taps} conversions; a sample (the interrupt) then reports the filter's latest output. The ADC clock is
   * derived from the PCIe reference clock, so its ticks fall on a grid of absolute time, the same for every card.
   * Real work inside the device model, which a time domain of its own takes off the guest's thread (BENCHMARKS.md,
   * figure 7). Without it ({@code taps} 0) samples are raw values drawn from the device's stream.
   */
  public SamplePcieDevice withFilter(int taps, long periodNanos) {
    if (taps < 0 || (taps > 0 && periodNanos <= 0)) throw new IllegalArgumentException("bad filter " + taps + "/" + periodNanos);
    this.taps = taps;
    this.adcPeriod = periodNanos;
    this.history = taps == 0 ? null : new int[taps];
    return this;
  }

  private int taps;
  private long adcPeriod;
  private int[] history;
  private int historyAt;
  private long adcState = 0x2545F4914F6CDD1DL;
  private int filteredOutput;
  private boolean adcArmed;
  private static final Object ADC_TICK = new Object() {
    @Override
    public String toString() {
      return "adc";
    }
  };

  private void armAdc(DeviceContext dev) {
    if (taps == 0 || adcArmed) return;
    adcArmed = true;
    long next = (dev.now() / adcPeriod + 1) * adcPeriod;
    dev.scheduleLocal(next - dev.now(), ADC_TICK); // the conversion stays inside the card: no link traffic
  }

  private void convert() {
    // the analogue input: a deterministic noise source (xorshift), no draw from the device's random stream
    adcState ^= adcState << 13;
    adcState ^= adcState >>> 7;
    adcState ^= adcState << 17;
    history[historyAt] = (int) (adcState & 0xffff);
    historyAt = (historyAt + 1) % taps;
    long acc = 0;
    // a triangular window: coefficient k rises to the middle and falls again
    for (int k = 0, i = historyAt; k < taps; k++, i = i + 1 == taps ? 0 : i + 1) {
      long coef = 1 + Math.min(k, taps - 1 - k);
      acc += coef * history[i];
    }
    long norm = (long) ((taps + 1) / 2) * ((taps + 2) / 2);
    filteredOutput = (int) ((acc / Math.max(1, norm)) & 0x7fffffff);
  }

  private boolean closedLoop() {
    return meanIntervalNanos == 0;
  }

  @Override
  public String name() {
    return "sample PCIe device";
  }

  @Override
  public PciConfigSpace config() {
    return config;
  }

  @Override
  public long readBar(int bar, long offset, int size, DeviceContext dev) {
    if (bar != 0) return 0xFFFFFFFFL;
    return switch ((int) offset) {
      case REG_ID -> (DEVICE << 16) | VENDOR;
      case REG_STATUS -> control & 1;
      case REG_IRQ_STATUS -> irqStatus & 0xFFFFFFFFL;
      case REG_DATA -> data & 0xFFFFFFFFL;
      case REG_CONTROL -> control;
      case REG_SAMPLES -> samples & 0xFFFFFFFFL;
      default -> 0;
    };
  }

  @Override
  public void writeBar(int bar, long offset, int size, long value, DeviceContext dev) {
    if (bar != 0) return;
    switch ((int) offset) {
      case REG_IRQ_ACK -> {
        irqStatus &= ~((int) value & 0xff);
        if (closedLoop() && control == 1) produce(dev);
      }
      case REG_CONTROL -> {
        control = (int) value & 1;
        if (control == 1) armAdc(dev);
        if (control == 1) arm(dev);
        else generation++; // a pending sample timer is now stale
      }
      default -> { }
    }
  }

  private void arm(DeviceContext dev) {
    if (closedLoop()) {
      produce(dev);
      return;
    }
    if (timerArmed) return;
    timerArmed = true;
    long delay = Math.max(1, (long) dev.random().nextExponential(meanIntervalNanos));
    dev.schedule(delay, new Sample(generation));
  }

  private record Sample(long generation) {
    @Override
    public String toString() {
      return "sample";
    }
  }

  @Override
  public void onTimer(Object token, DeviceContext dev) {
    if (token == ADC_TICK) {
      adcArmed = false;
      if (control == 1) {
        convert();
        armAdc(dev);
      }
      return;
    }
    timerArmed = false;
    if (!(token instanceof Sample s) || s.generation() != generation || control == 0) {
      if (control == 1) arm(dev); // a stale timer from before a disable/enable cycle
      return;
    }
    produce(dev);
    arm(dev);
  }

  private void produce(DeviceContext dev) {
    if (sampleBudget > 0 && samples >= sampleBudget) return;
    samples++;
    data = (int) (dev.random().nextLong() & 0x7fffffff);
    if (taps > 0) data = filteredOutput;
    irqStatus = IRQ_DATA_READY | ((samples % RING_SLOTS) << 8);
    int n = samples;
    Cause cause = dev.cause(() -> "sample " + n + " ready (slot " + (n % RING_SLOTS) + ")");
    dev.raiseInterrupt(0, cause);
    if (sampleBudget > 0 && samples == sampleBudget && budgetSpent != null) budgetSpent.run();
  }

  /** Samples produced so far. */
  public long samples() {
    return samples;
  }

  @Override
  public void onRemoved(boolean surprise, DeviceContext dev) {
    generation++;
    control = 0;
  }

  @Override
  public void onReset(DeviceContext dev) {
    generation++;
    control = 0;
    irqStatus = 0;
    timerArmed = false;
  }
}
