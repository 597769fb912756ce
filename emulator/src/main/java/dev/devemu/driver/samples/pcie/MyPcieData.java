package dev.devemu.driver.samples.pcie;

import dev.devemu.datasheet.SamplePcieDatasheet;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.FieldArray;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.pci.IoMem;

/** {@code struct my_pcie_data}: the driver's per-device state, in tracked memory. */
final class MyPcieData extends KStruct {
  final Field<IoMem> bar0 = field("bar0", 8, null);
  final Field<Integer> irq = field("irq", 4, 0);
  final Field<Long> count = field("count", 8, 0L);
  /** The storm guard's window (see {@link MyPcie}): when it started, the interrupts with and without a sample. */
  final Field<Long> stormStart = field("storm.start", 8, 0L);
  final Field<Integer> unhandled = field("storm.unhandled", 4, 0);
  final Field<Integer> handled = field("storm.handled", 4, 0);
  final MyPcie.StormCounters storm = new MyPcie.StormCounters(stormStart, unhandled, handled);
  final FieldArray<Integer> ring = array("ring", SamplePcieDatasheet.RING_SLOTS, 4);

  MyPcieData() {
    super("struct my_pcie_data");
  }
}
