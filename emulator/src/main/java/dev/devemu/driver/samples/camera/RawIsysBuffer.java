package dev.devemu.driver.samples.camera;

import dev.devemu.driver.api.Mem;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.KStruct;
import java.util.function.Function;

/** {@code struct ipu6_isys_buffer} of the raw driver: one frame buffer, its memory and its DMA address. */
final class RawIsysBuffer extends KStruct {
  final Field<Integer> index = field("vb.index", 4, 0);
  final Field<Integer> state = field("vb.state", 4, RawIsysData.DEQUEUED);
  final Field<Allocation> vaddr = field("vaddr", 8, null);
  final Field<Dma.Mapping> dma = field("dma", 8, null);
  final Field<Integer> length = field("length", 4, 0);
  final Field<Integer> bytesused = field("vb.bytesused", 4, 0);
  final Field<Integer> sequence = field("vb.sequence", 4, 0);
  final Field<Integer> flags = field("vb.flags", 4, 0);
  final Field<Long> timestamp = field("vb.timestamp", 8, 0L);

  RawIsysBuffer() {
    super("struct ipu6_isys_buffer");
  }

  /** Field offsets for a NULL pointer's report (a struct never allocated). */
  private static final RawIsysBuffer LAYOUT = new RawIsysBuffer();

  /** {@code buf->field} through a pointer that may be NULL, as C reads it: NULL is a page-fault oops. */
  static <T> Op<T> get(RawIsysBuffer b, Function<RawIsysBuffer, Field<T>> field) {
    return b != null ? Mem.read(field.apply(b)) : nullDeref(field.apply(LAYOUT), false);
  }

  /** {@code buf->field = value} through a pointer that may be NULL. */
  static <T> Op<Void> set(RawIsysBuffer b, Function<RawIsysBuffer, Field<T>> field, T value) {
    return b != null ? Mem.write(field.apply(b), value) : nullDeref(field.apply(LAYOUT), true);
  }

  private static <T> Op<T> nullDeref(Field<?> f, boolean write) {
    return Op.step(write ? f.writeLabel() : f.readLabel(), x -> {
      throw x.kernel().fatal(x.kernel().bugs().nullPointer(x, f.offset(), write,
          "ipu6_isys_buffer->" + f.name()));
    });
  }
}
