package dev.devemu.kernel.usb;

import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.usb.RawUsbDriver;
import dev.devemu.driver.api.usb.UsbBindings;
import dev.devemu.kernel.Op;
import dev.devemu.plugin.usb.UsbBus;
import dev.devemu.scenario.Catalog;
import dev.devemu.scenario.DriverKind;
import dev.devemu.scenario.TestbedBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A raw USB driver for tests ({@code name = urbtest}): its probe and disconnect run whatever program the test set,
 * and what they and their completion handlers see is noted in order, for the test to read after the run (runs
 * happen on the test's own thread).
 */
public final class UrbTestDriver implements RawUsbDriver {
  static final String NAME = "urbtest";
  static Function<UsbInterface, Op<Integer>> probe;
  static Function<UsbInterface, Op<Void>> disconnect;
  static boolean softUnbind;
  static final List<String> events = new ArrayList<>();

  static void install() {
    reset();
  }

  static void reset() {
    probe = i -> Op.rc(0);
    disconnect = i -> Op.done();
    softUnbind = false;
    events.clear();
  }

  static Op<Void> note(String s) {
    return Op.step("note", x -> {
      events.add(s);
      return null;
    });
  }

  static Op<Void> note(Supplier<String> s) {
    return Op.step("note", x -> {
      events.add(s.get());
      return null;
    });
  }

  /** A completion handler that notes {@code <name> <status> <actual_length>}. */
  static UrbCallback recorder(String name) {
    return new UrbCallback(name, urb -> Mem.read(urb.status)
        .then(status -> Mem.read(urb.actualLength).then(len -> note(name + " " + status + " " + len))));
  }

  /** usb_alloc_urb + a 4096-byte buffer + usb_fill_bulk_urb for {@code endpoint} of the interface's device. */
  static Op<Urb> bulkUrb(UsbInterface intf, int endpoint, UrbCallback cb) {
    UsbDevice dev = intf.device();
    int pipe = (endpoint & 0x80) != 0 ? UsbPipe.rcvBulk(dev, endpoint & 0xf) : UsbPipe.sndBulk(dev, endpoint & 0xf);
    return UsbCore.allocUrb().then(u -> Mem.kmalloc(4096, "urbtest buffer")
        .then(buf -> UsbCore.fillBulkUrb(u, dev, pipe, buf, 4096, cb, null)).map(v -> u));
  }

  /** usb_kill_urb, then frees the buffer and the URB. */
  static Op<Void> release(Urb u) {
    return UsbCore.killUrb(u).then(Mem.read(u.transferBuffer)).then(Mem::kfree).then(UsbCore.freeUrb(u));
  }

  /** msleep. */
  static Op<Void> sleep(UsbInterface intf, long nanos) {
    return intf.device().hcd().kernel().sleep("msleep", nanos);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<UsbDeviceId> idTable() {
    return List.of(UsbDeviceId.device(0xabcd, 0x1234));
  }

  @Override
  public boolean softUnbind() {
    return softUnbind;
  }

  @Override
  public Op<Integer> probe(UsbInterface intf, UsbDeviceId id) {
    return probe.apply(intf);
  }

  @Override
  public Op<Void> disconnect(UsbInterface intf) {
    return disconnect.apply(intf);
  }
}
