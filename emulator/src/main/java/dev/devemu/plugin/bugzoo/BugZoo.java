package dev.devemu.plugin.bugzoo;

import dev.devemu.driver.api.pci.PciBindings;
import dev.devemu.driver.api.platform.PlatformBindings;
import dev.devemu.driver.api.usb.UsbBindings;
import dev.devemu.driver.samples.bugs.ZooChar;
import dev.devemu.driver.samples.bugs.ZooIpu6;
import dev.devemu.driver.samples.bugs.ZooPcie;
import dev.devemu.driver.samples.bugs.ZooUsb;
import dev.devemu.driver.samples.chardev.MyCharAbi;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.driver.DriverEntry;
import dev.devemu.scenario.DriverFamily;
import dev.devemu.scenario.DriverKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The bug zoo: corrected sample drivers ({@code zoo_pcie}, {@code zoo_usb}, {@code zoo_char}, {@code zoo_ipu6}) and one driver per
 * known defect ({@code zoo_pcie_teardown_order}, …), each the corrected driver with that one mistake. The drivers
 * take no variant (raw and safe give the same driver: all are written with C habits). {@link #BUGS} says what each
 * defect is, which scenario of {@code scenarios/bugs} exercises it and how its report is recognised; the bug-finding
 * bench ({@code devemu bench --only bugs}) and {@code BugZooTest} run them.
 */
public final class BugZoo implements DriverFamily {
  public static final String PCIE = "zoo_pcie";
  public static final String USB = "zoo_usb";
  public static final String CHAR = "zoo_char";
  public static final String IPU6 = "zoo_ipu6";

  /** Every known bug, in the order the bench prints them. */
  public static final List<KnownBug> BUGS = List.of(
      pcie(ZooPcie.Defect.UAF_REMOVE_VS_IRQ, "use-after-free, remove vs IRQ",
          "remove kfree()s its data before free_irq(); a handler on the other CPU reads it", "kasan", "my_pcie_irq"),
      pcie(ZooPcie.Defect.TEARDOWN_ORDER, "wrong teardown order",
          "remove unmaps BAR0 before free_irq(); a running handler reads through the unmapped BAR", "bad-mmio",
          "my_pcie_irq"),
      pcie(ZooPcie.Defect.LEAK_ON_ERROR_PATH, "leak on an error path",
          "an unsupported revision returns -ENODEV without releasing the region, the mapping and the enable",
          "leak", null),
      pcie(ZooPcie.Defect.UNCHECKED_ALLOC, "unchecked error return",
          "kzalloc's result is not checked; under memory pressure probe writes through NULL", "null-deref", null),
      pcie(ZooPcie.Defect.IRQ_BEFORE_READY, "IRQ enabled before handler state is ready",
          "the card is enabled and its IRQ requested before d->bar0 is set; an early interrupt reads NULL",
          "null-deref", "my_pcie_irq"),
      pcie(ZooPcie.Defect.UNCHECKED_INDEX, "out-of-bounds index from the device",
          "the handler indexes the ring with IRQ_STATUS unchecked; after a surprise removal it reads all ones",
          "bad-mmio", "my_pcie_irq"),
      pcie(ZooPcie.Defect.SLEEP_IN_IRQ, "sleep in atomic context",
          "the storm guard calls disable_irq() (which sleeps) from the handler instead of disable_irq_nosync()",
          "atomic-sleep", "my_pcie_irq"),
      usb(ZooUsb.Defect.LATE_URB_COMPLETION, "late URB completion after disconnect",
          "disconnect cancels with the asynchronous usb_unlink_urb() and frees; the URBs complete afterwards",
          "kasan", "my_usb_"),
      usb(ZooUsb.Defect.URBS_NOT_KILLED, "URBs not killed at disconnect",
          "disconnect (soft_unbind) forgets usb_kill_urb(); its URBs outlive it", "kasan,leak", null),
      usb(ZooUsb.Defect.DOUBLE_FREE, "double free",
          "disconnect kfree()s in_buf twice (a copy-paste slip) and never out_buf", "kasan", "kfree"),
      usb(ZooUsb.Defect.COMPLETION_BEFORE_INIT, "completion used before init",
          "init_completion() comes after the first usb_submit_urb(); a fast completion completes a zeroed one",
          "null-deref", "my_usb_in_complete"),
      usb(ZooUsb.Defect.UNCHECKED_ALLOC, "unchecked error return",
          "kmalloc of in_buf is not checked; usb_submit_urb DMA-maps the NULL transfer buffer", "null-deref",
          // named, so that another NULL dereference under the same allocation failures does not count as this bug
          "urb->transfer_buffer"),
      usb(ZooUsb.Defect.SLEEP_IN_COMPLETION, "sleep in atomic context",
          "the IN completion handler clears a STALL with the sleeping usb_clear_halt()", "atomic-sleep",
          "my_usb_in_complete"),
      usb(ZooUsb.Defect.WAIT_FOR_NOTHING, "missing completion / hung task",
          "disconnect re-arms its completion after killing the URBs, then waits for it forever", "hung-task", null),
      chr(ZooChar.Defect.MISSING_LOCK, "missing lock (data race)",
          "SET_CONFIG stores the config without the spinlock read holds", "kcsan", null),
      chr(ZooChar.Defect.OOB_READ, "out-of-bounds copy",
          "read copies count bytes instead of min(count, sizeof(config))", "kasan", "my_char_read"),
      chr(ZooChar.Defect.SLEEP_UNDER_SPINLOCK, "sleep in atomic context",
          "read calls copy_to_user() with the spinlock held", "atomic-sleep", "copy_to_user"),
      chr(ZooChar.Defect.UAF_AFTER_REMOVE, "use-after-free after remove",
          "remove kfree()s the data instead of dropping its reference; open files still use it", "kasan", null),
      chr(ZooChar.Defect.REFCOUNT_UNDERFLOW, "refcount underflow",
          "open forgets kref_get(); the first close drops the probe's reference and frees the data", "kasan", null),
      chr(ZooChar.Defect.LOCK_INVERSION, "lock inversion (AB-BA)",
          "SET_CONFIG takes stats_lock then lock, read takes lock then stats_lock", "lockdep", null),
      chr(ZooChar.Defect.BUSY_FLAG_LEFT_SET, "error path leaves a lock taken (hung task)",
          "SET_CONFIG's -EFAULT path returns without clearing the updating flag; the next SET_CONFIG sleeps forever",
          "hung-task", null),
      cam(ZooIpu6.Defect.UAF_STOP_VS_IRQ, "use-after-free, stream stop vs IRQ",
          "stop_streaming frees the frame-info ring before unpublishing it under the lock, without synchronize_irq; "
              + "the handler that acknowledged the stop still reads it", "kasan", "ipu6_isys_isr"),
      cam(ZooIpu6.Defect.STOP_TIMEOUT_IGNORED, "DMA into freed buffers",
          "stop_streaming ignores the stop wait's timeout (no soft reset); with the stop command lost, REQBUFS(0) "
              + "frees buffers the device still writes", "kasan", "dma_write"),
      cam(ZooIpu6.Defect.UNLOCKED_DONE_LIST, "buffer list without its lock (data race)",
          "DQBUF takes a buffer off the done list without the queue lock the frame-done handler holds", "kcsan",
          "ipu6_isys_dqbuf"),
      cam(ZooIpu6.Defect.UNCHECKED_INDEX, "device's buffer index trusted",
          "the handler takes the slot from LAST_DONE unchecked and no all-ones check; after a surprise removal it "
              + "indexes the frame-info ring with 0xffffffff", "kasan,bad-mmio", "ipu6_isys_isr"),
      cam(ZooIpu6.Defect.MUTEX_IN_IRQ, "mutex in an IRQ handler",
          "the handler counts an input FIFO overflow under the ioctls' mutex (mutex_lock in hardirq context)",
          "atomic-sleep", "ipu6_isys_isr"),
      cam(ZooIpu6.Defect.LEAK_ON_MAP_ERROR, "leak on an error path (DMA map)",
          "REQBUFS: when dma_map_single fails, the frame memory just allocated is not freed", "leak", null));

  /**
   * The bug each safe sample shares with its raw variant (documented in the samples' class comments and in
   * {@code docs/scenarios.md}): a report of it on a safe sample is not a false positive. The zoo's corrected drivers
   * are registered as raw drivers and have none.
   */
  private static final List<KnownBug> SHARED = List.of(
      new KnownBug("shared/my_pcie", "pcie", "sleep in atomic context", "disable_irq() in the storm guard", "my_pcie",
          "my_pcie", null, List.of("atomic-sleep"), "my_pcie_irq"),
      new KnownBug("shared/my_usb", "usb", "sleep in atomic context", "usb_clear_halt() in the IN completion",
          "my_usb", "my_usb", null, List.of("atomic-sleep"), "my_usb_in_complete"),
      new KnownBug("shared/my_char", "char", "hung task", "SET_CONFIG's -EFAULT path leaves updating set", "my_char",
          "my_char", null, List.of("hung-task"), null),
      new KnownBug("shared/ipu6_isys", "camera", "IRQ-unsafe lock", "DQBUF counts an errored frame under spin_lock()",
          "ipu6_isys", "ipu6_isys", null, List.of("lockdep"), "ipu6_isys.queue.lock"));

  /** Whether a report is the documented shared bug of a safe sample driver. */
  public static boolean isSharedBug(Oops oops) {
    if (oops.owner() == null || oops.owner().variant() != Variant.SAFE) return false;
    for (KnownBug b : SHARED) {
      if (b.buggyDriver().equals(oops.owner().driver()) && b.matches(oops)) return true;
    }
    return false;
  }

  @Override
  public List<DriverKind> drivers() {
    List<DriverKind> out = new ArrayList<>();
    out.add(kind(PCIE, "bug zoo: my_pcie corrected (no known defect)", () -> PciBindings.raw(new ZooPcie(null)), false));
    out.add(kind(USB, "bug zoo: my_usb corrected (no known defect)", () -> UsbBindings.raw(new ZooUsb(null)), false));
    out.add(kind(CHAR, "bug zoo: my_char corrected (no known defect)",
        () -> PlatformBindings.raw(new ZooChar(null)), true));
    for (ZooPcie.Defect d : ZooPcie.Defect.values()) {
      out.add(kind(name(PCIE, d), describe(name(PCIE, d)), () -> PciBindings.raw(new ZooPcie(d)), false));
    }
    for (ZooUsb.Defect d : ZooUsb.Defect.values()) {
      out.add(kind(name(USB, d), describe(name(USB, d)), () -> UsbBindings.raw(new ZooUsb(d)), false));
    }
    out.add(kind(IPU6, "bug zoo: ipu6_isys corrected (no known defect)", () -> PciBindings.raw(new ZooIpu6(null)),
        false));
    for (ZooIpu6.Defect d : ZooIpu6.Defect.values()) {
      out.add(kind(name(IPU6, d), describe(name(IPU6, d)), () -> PciBindings.raw(new ZooIpu6(d)), false));
    }
    for (ZooChar.Defect d : ZooChar.Defect.values()) {
      out.add(kind(name(CHAR, d), describe(name(CHAR, d)), () -> PlatformBindings.raw(new ZooChar(d)), true));
    }
    return out;
  }

  private static String describe(String driver) {
    for (KnownBug b : BUGS) {
      if (b.buggyDriver().equals(driver)) return "bug zoo: " + b.description();
    }
    return "bug zoo: " + driver;
  }

  static String name(String base, Enum<?> defect) {
    return base + "_" + defect.name().toLowerCase(Locale.ROOT);
  }

  private static String slug(Enum<?> defect) {
    return defect.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static KnownBug pcie(ZooPcie.Defect d, String cls, String what, String detectors, String function) {
    return bug("pcie", PCIE, d, cls, what, detectors, function);
  }

  private static KnownBug usb(ZooUsb.Defect d, String cls, String what, String detectors, String function) {
    return bug("usb", USB, d, cls, what, detectors, function);
  }

  private static KnownBug chr(ZooChar.Defect d, String cls, String what, String detectors, String function) {
    return bug("char", CHAR, d, cls, what, detectors, function);
  }

  private static KnownBug cam(ZooIpu6.Defect d, String cls, String what, String detectors, String function) {
    return bug("camera", IPU6, d, cls, what, detectors, function);
  }

  private static KnownBug bug(String bus, String base, Enum<?> d, String cls, String what, String detectors,
      String function) {
    return new KnownBug(bus + "/" + slug(d), bus, cls, what, name(base, d), base, bus + "-" + slug(d) + ".conf",
        List.of(detectors.split(",")), function);
  }

  private static DriverKind kind(String name, String description, Supplier<DriverEntry<?, ?>> entry, boolean chardev) {
    return new DriverKind() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public Map<String, Integer> ioctls() {
        return chardev ? MyCharAbi.ioctls() : Map.of();
      }

      @Override
      public DriverEntry<?, ?> entry(Variant variant) {
        return entry.get();
      }
    };
  }
}
