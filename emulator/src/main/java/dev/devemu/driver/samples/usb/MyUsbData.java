package dev.devemu.driver.samples.usb;

import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.sync.Completion;
import dev.devemu.kernel.usb.Urb;
import dev.devemu.kernel.usb.UsbDevice;

/** {@code struct my_usb}: the raw driver's per-interface state, in tracked memory. */
final class MyUsbData extends KStruct {
  final Field<UsbDevice> udev = field("udev", 8, null);
  final Field<Urb> inUrb = field("in_urb", 8, null);
  final Field<Urb> outUrb = field("out_urb", 8, null);
  final Field<Allocation> inBuf = field("in_buf", 8, null);
  final Field<Allocation> outBuf = field("out_buf", 8, null);
  final Field<Long> inCount = field("in_count", 8, 0L);
  final Field<Long> outCount = field("out_count", 8, 0L);
  final Field<Integer> outBusy = field("out_busy", 4, 0);
  final Field<Integer> errors = field("errors", 4, 0);
  /** {@code struct completion done}: zeroed by kzalloc, usable only after init_completion. */
  final Field<Completion> done = field("done", 32, Completion.uninitialized("my_usb.done"));

  MyUsbData() {
    super("struct my_usb");
  }
}
