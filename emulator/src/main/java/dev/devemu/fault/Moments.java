package dev.devemu.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Life-cycle moments of the device in each slot, so that a fault plan can strike "at any moment": during probe,
 * right after bind, with an interrupt pending, with DMA or URBs in flight, while a process holds the device open.
 *
 * <p>Whoever knows a moment signals it: the driver core (probe, bind, remove), the bus glue (an interrupt raised,
 * a DMA transfer started and completed), a host controller (URBs submitted and given back), a char device (open
 * and release). A <em>state</em> moment holds between {@link Slot#enter} and {@link Slot#leave} (nested: three
 * DMA transfers in flight need three leaves); a <em>pulse</em> moment is an instant ({@link Slot#pulse}).
 *
 * <p>A fault plan {@linkplain #await awaits} a moment on a slot: the action runs synchronously, on the lane
 * thread, at the signal — so the event it sends is queued while the moment still holds, and the scheduler decides
 * how it interleaves with the work in progress. Only the lane thread touches this class.
 */
public final class Moments {
  /** The moments a fault plan can wait for; {@code word} is the scenario's spelling ({@code when = …}). */
  public enum Moment {
    /** The driver's probe is running (from the probe request to its return). */
    DURING_PROBE("during-probe", true),
    /** A probe has just returned 0: the driver is bound. */
    AFTER_BIND("after-bind", false),
    /** The driver's remove (or disconnect) is running. */
    DURING_REMOVE("during-remove", true),
    /** The device has just raised an interrupt: it is in flight to a CPU and no handler has run for it yet. */
    WITH_IRQ_PENDING("with-irq-pending", false),
    /** A DMA transfer of the device has started and not completed. */
    WITH_DMA_IN_FLIGHT("with-dma-in-flight", true),
    /** URBs to the device have been submitted and not given back. */
    WITH_URBS_IN_FLIGHT("with-urbs-in-flight", true),
    /** A process holds a file of the device open. */
    WHILE_OPEN("while-open", true);

    private final String word;
    private final boolean state;

    Moment(String word, boolean state) {
      this.word = word;
      this.state = state;
    }

    public String word() {
      return word;
    }

    /** True for moments that last (enter/leave), false for instants (pulse). */
    public boolean isState() {
      return state;
    }

    public static Moment parse(String word) {
      for (Moment m : values()) {
        if (m.word.equals(word)) return m;
      }
      return null;
    }
  }

  /** The moments of one slot. Device glue keeps this handle so that signalling costs an array access. */
  public static final class Slot {
    private static final Moment[] MOMENTS = Moment.values();
    private final String name;
    // How many times each state moment is entered now. Fields rather than an array: a testbed has a slot per
    // device, a USB slot enters and leaves a state per URB, and an array made on first use would be made again
    // and again or kept by every device that ever probed.
    private int duringProbe;
    private int duringRemove;
    private int withDmaInFlight;
    private int withUrbsInFlight;
    private int whileOpen;
    // Made on first use: most slots never arm a fault.
    private List<List<Runnable>> waiting;
    private int armed;

    Slot(String name) {
      this.name = name;
    }

    public String name() {
      return name;
    }

    /** A state moment begins (one more transfer in flight, one more open file …). */
    public void enter(Moment m) {
      add(m, 1);
      if (armed > 0) fire(m);
    }

    /** A state moment ends; unbalanced leaves are ignored (a device gone mid-transfer never completes it). */
    public void leave(Moment m) {
      if (holds(m)) add(m, -1);
    }

    /** An instant moment happens. */
    public void pulse(Moment m) {
      if (armed > 0) fire(m);
    }

    public boolean holds(Moment m) {
      return switch (m) {
        case DURING_PROBE -> duringProbe > 0;
        case DURING_REMOVE -> duringRemove > 0;
        case WITH_DMA_IN_FLIGHT -> withDmaInFlight > 0;
        case WITH_URBS_IN_FLIGHT -> withUrbsInFlight > 0;
        case WHILE_OPEN -> whileOpen > 0;
        case AFTER_BIND, WITH_IRQ_PENDING -> false;
      };
    }

    private void add(Moment m, int delta) {
      switch (m) {
        case DURING_PROBE -> duringProbe += delta;
        case DURING_REMOVE -> duringRemove += delta;
        case WITH_DMA_IN_FLIGHT -> withDmaInFlight += delta;
        case WITH_URBS_IN_FLIGHT -> withUrbsInFlight += delta;
        case WHILE_OPEN -> whileOpen += delta;
        case AFTER_BIND, WITH_IRQ_PENDING -> throw new IllegalArgumentException(m.word() + " is an instant: pulse it");
      }
    }

    void await(Moment m, Runnable action) {
      if (m.isState() && holds(m)) {
        action.run();
        return;
      }
      if (waiting == null) {
        waiting = new ArrayList<>(MOMENTS.length);
        for (int i = 0; i < MOMENTS.length; i++) waiting.add(null);
      }
      List<Runnable> list = waiting.get(m.ordinal());
      if (list == null) {
        list = new ArrayList<>(1);
        waiting.set(m.ordinal(), list);
      }
      list.add(action);
      armed++;
    }

    private void fire(Moment m) {
      List<Runnable> list = waiting == null ? null : waiting.get(m.ordinal());
      if (list == null || list.isEmpty()) return;
      waiting.set(m.ordinal(), null);
      armed -= list.size();
      for (Runnable r : list) r.run(); // in arming order: deterministic
    }
  }

  private final Map<String, Slot> slots = new TreeMap<>();

  /** The handle of a slot (a PCI address, a USB port), created on first use. */
  public Slot slot(String name) {
    return slots.computeIfAbsent(name, Slot::new);
  }

  /**
   * Runs {@code action} once, at the next time {@code moment} happens on {@code slot} — at once if it is a state
   * that holds now.
   */
  public void await(String slot, Moment moment, Runnable action) {
    slot(slot).await(moment, action);
  }
}
