package dev.devemu.hw.device.wdt;

import static dev.devemu.datasheet.SampleWdtDatasheet.*;

import dev.devemu.hw.pci.DeviceContext;
import dev.devemu.hw.pci.PciConfigSpace;
import dev.devemu.hw.pci.PciDeviceModel;

/**
 * The sample PCI watchdog (1234:5744): a countdown restarted by keepalive writes, a pretimeout MSI halfway and an
 * expiry at the end, counted where a real board would reset. The register map is
 * {@link dev.devemu.datasheet.SampleWdtDatasheet}.
 */
public final class SampleWdtDevice implements PciDeviceModel {
  private static final long MS = 1_000_000L;

  private final PciConfigSpace config;
  private int control;
  private int timeoutMs = 1000;
  private int status;
  private int expiries;
  /** Bumped by every keepalive, disable and reset: timers of an older countdown are stale. */
  private long generation;

  public SampleWdtDevice() {
    this.config = PciConfigSpace.builder(VENDOR, DEVICE)
        .revision(1)
        .classCode(0x088000) // base system peripheral, other (as watchdog cards report)
        .subsystem(0x1af4, 0x1100)
        .interruptPin(1)
        .memoryBar(0, BAR0_SIZE, false, false)
        .powerManagement()
        .msi(1, true)
        .express(3, 4)
        .build();
  }

  @Override
  public String name() {
    return "sample watchdog";
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
      case REG_CONTROL -> control;
      case REG_TIMEOUT -> timeoutMs;
      case REG_STATUS -> status | ((control & CONTROL_ENABLE) != 0 ? STATUS_RUNNING : 0);
      case REG_EXPIRIES -> expiries & 0xFFFFFFFFL;
      default -> 0;
    };
  }

  @Override
  public void writeBar(int bar, long offset, int size, long value, DeviceContext dev) {
    if (bar != 0) return;
    switch ((int) offset) {
      case REG_CONTROL -> {
        boolean wasRunning = (control & CONTROL_ENABLE) != 0;
        control = (int) value & (CONTROL_ENABLE | CONTROL_PRETIMEOUT_IRQ);
        if ((control & CONTROL_ENABLE) == 0) generation++;
        else if (!wasRunning) restart(dev);
      }
      case REG_TIMEOUT -> timeoutMs = (int) Math.max(TIMEOUT_MIN_MS, Math.min(TIMEOUT_MAX_MS, value));
      case REG_KEEPALIVE -> {
        if (value == KEEPALIVE_MAGIC && (control & CONTROL_ENABLE) != 0) restart(dev);
      }
      case REG_IRQ_ACK -> status &= ~((int) value & (STATUS_PRETIMEOUT | STATUS_FIRED));
      default -> { }
    }
  }

  private record Stage(long generation, boolean expiry) {
    @Override
    public String toString() {
      return expiry ? "watchdog expiry" : "watchdog pretimeout";
    }
  }

  private void restart(DeviceContext dev) {
    generation++;
    long half = timeoutMs * MS / 2;
    dev.schedule(half, new Stage(generation, false));
    dev.schedule(timeoutMs * MS, new Stage(generation, true));
  }

  @Override
  public void onTimer(Object token, DeviceContext dev) {
    if (!(token instanceof Stage s) || s.generation() != generation || (control & CONTROL_ENABLE) == 0) return;
    if (!s.expiry()) {
      status |= STATUS_PRETIMEOUT;
      if ((control & CONTROL_PRETIMEOUT_IRQ) != 0) {
        dev.raiseInterrupt(0, dev.cause("watchdog pretimeout (" + timeoutMs / 2 + " ms without a keepalive)"));
      }
      return;
    }
    status |= STATUS_FIRED;
    expiries++;
    restart(dev); // a board would reset here; the model counts it and starts over
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
    status = 0;
    timeoutMs = 1000;
  }
}
