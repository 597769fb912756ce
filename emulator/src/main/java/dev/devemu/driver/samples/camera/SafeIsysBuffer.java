package dev.devemu.driver.samples.camera;

import dev.devemu.driver.api.dma.DmaBuffer;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.KStruct;

/**
 * One buffer of the safe driver's queue: the vb2-style bookkeeping in tracked memory and the typed DMA buffer it
 * owns. Only reached through the queue with its lock held.
 */
final class SafeIsysBuffer extends KStruct {
  final Field<Integer> state = field("vb.state", 4, SafeIsysState.DEQUEUED);
  final Field<Integer> bytesused = field("vb.bytesused", 4, 0);
  final Field<Integer> sequence = field("vb.sequence", 4, 0);
  final Field<Integer> flags = field("vb.flags", 4, 0);
  final Field<Long> timestamp = field("vb.timestamp", 8, 0L);
  final DmaBuffer memory;

  SafeIsysBuffer(DmaBuffer memory) {
    super("struct ipu6_isys_buffer");
    this.memory = memory;
  }
}
