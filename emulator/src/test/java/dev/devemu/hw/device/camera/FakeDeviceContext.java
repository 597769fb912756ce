package dev.devemu.hw.device.camera;

import dev.devemu.hw.pci.DeviceContext;
import dev.devemu.sim.Cause;
import dev.devemu.sim.SimRandom;
import dev.devemu.spec.DmaDirection;
import dev.devemu.spec.pci.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A device model's world without actors: timers on a manual clock, DMA requests and interrupts recorded, so that a
 * test drives the model step by step and sees exactly what it asked the bus for.
 */
final class FakeDeviceContext implements DeviceContext {
  record Timer(long due, long order, Object token) {}

  record DmaRequest(long bus, int length, DmaDirection direction, long tag) {}

  private final SimRandom random = new SimRandom(7);
  private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> a.due != b.due
      ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
  final List<DmaRequest> dmas = new ArrayList<>();
  final List<Long> interruptTimes = new ArrayList<>();
  boolean present = true;
  private long now;
  private long order;

  @Override
  public PciAddress address() {
    return PciAddress.parse("0000:00:05.0");
  }

  @Override
  public long now() {
    return now;
  }

  @Override
  public SimRandom random() {
    return random;
  }

  @Override
  public void schedule(long delayNanos, Object token) {
    timers.add(new Timer(now + delayNanos, order++, token));
  }

  @Override
  public boolean raiseInterrupt(int vector, Cause cause) {
    if (!present) return false;
    interruptTimes.add(now);
    return true;
  }

  @Override
  public boolean dma(long busAddress, int length, DmaDirection direction, long tag, Cause cause) {
    if (!present) return false;
    dmas.add(new DmaRequest(busAddress, length, direction, tag));
    return true;
  }

  @Override
  public Cause cause(String what) {
    return Cause.root("dev", now, what);
  }

  @Override
  public Cause cause(java.util.function.Supplier<String> what) {
    return Cause.rootLazy("dev", Cause.NO_CPU, now, what);
  }

  @Override
  public boolean present() {
    return present;
  }

  /** Fires the next timer; false if none is pending. */
  boolean fireNext(Ipu6IsysDevice device) {
    Timer t = timers.poll();
    if (t == null) return false;
    now = t.due();
    device.onTimer(t.token(), this);
    return true;
  }

  /** Fires timers until {@code until} (virtual time) or none is left; completes each DMA at once. */
  void runUntil(Ipu6IsysDevice device, long until) {
    while (!timers.isEmpty() && timers.peek().due() <= until) {
      fireNext(device);
      completeDmas(device, 0);
    }
    now = Math.max(now, until);
  }

  /** The host bridge answers every outstanding transfer with {@code status}. */
  void completeDmas(Ipu6IsysDevice device, int status) {
    int done = 0;
    while (done < dmas.size()) {
      // transfers are issued one at a time: completing one may issue the next (the info record)
      int before = dmas.size();
      for (int i = done; i < before; i++) {
        DmaRequest r = dmas.get(i);
        device.onDmaCompleted(r.tag(), status, status == 0 ? r.length() : 0, this);
      }
      done = before;
    }
  }
}
