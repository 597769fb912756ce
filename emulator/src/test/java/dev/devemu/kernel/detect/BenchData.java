package dev.devemu.kernel.detect;

import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.FieldArray;
import dev.devemu.kernel.mem.KStruct;

/** {@code struct bench_data}: a small driver struct for detector tests (16 + 16 bytes). */
final class BenchData extends KStruct {
  final Field<Long> count = field("count", 8, 0L);
  final Field<Long> flags = field("flags", 8, 0L);
  final FieldArray<Integer> slots = array("slots", 4, 4);

  BenchData() {
    super("struct bench_data");
  }
}
