package dev.devemu.driver.samples.wdt;

import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.pci.IoMem;

/** {@code struct my_wdt}: the raw driver's per-device state, in tracked memory (KASAN sees a late access). */
final class MyWdtData extends KStruct {
  final Field<IoMem> bar0 = field("bar0", 8, null);
  final Field<Integer> irq = field("irq", 4, 0);
  /** Written only by the handler (WRITE_ONCE), read by remove (READ_ONCE). */
  final Field<Long> keepalives = field("keepalives", 8, 0L);

  MyWdtData() {
    super("struct my_wdt");
  }
}
