package dev.devemu.driver.samples.chardev;

import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.FieldArray;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.sync.SpinLock;

/**
 * {@code struct my_char_data}, the article's {@code MyCharDriverData}: the version and a spinlock-protected
 * 16-byte configuration. Laid out as C would ({@code u32 version; spinlock_t lock; u8 config[16];}: 24 bytes,
 * kmalloc-32), so a read past {@code config} leaves the object and KASAN sees it.
 */
public final class MyCharData extends KStruct {
  final Field<Integer> version = field("version", 4, 0);
  /** The lock word's place in the layout; the lock itself is {@link #lock}. */
  final Field<Integer> lockWord = field("lock", 4, 0);
  final FieldArray<Byte> config = array("config", MyCharAbi.CONFIG_LEN, 1);
  final SpinLock lock = new SpinLock("my_char_data.lock");

  public MyCharData() {
    super("struct my_char_data");
  }
}
