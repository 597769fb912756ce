package dev.devemu.driver.samples.chardev;

import dev.devemu.driver.api.Mem;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.FieldArray;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.sync.SpinLock;
import dev.devemu.kernel.sync.WaitQueue;

/**
 * {@code struct my_char_data}, the article's {@code MyCharDriverData}: the version and a spinlock-protected
 * 16-byte configuration, plus the flag that lets one SET_CONFIG at a time update it. Laid out as C would
 * ({@code u32 version; spinlock_t lock; u32 updating; u8 config[16];}: 28 bytes, kmalloc-32), so a read past
 * {@code config} leaves the object and KASAN sees it. The wait queue for updaters ({@link #updateWq}) is a kernel
 * object kept beside it.
 */
public final class MyCharData extends KStruct {
  final Field<Integer> version = field("version", 4, 0);
  /** The lock word's place in the layout; the lock itself is {@link #lock}. */
  final Field<Integer> lockWord = field("lock", 4, 0);
  /** 1 while a SET_CONFIG owns the configuration (under {@link #lock}); see the class comments of the drivers. */
  final Field<Integer> updating = field("updating", 4, 0);
  final FieldArray<Byte> config = array("config", MyCharAbi.CONFIG_LEN, 1);
  final SpinLock lock = new SpinLock("my_char_data.lock");
  /** SET_CONFIG callers waiting for {@link #updating} to clear ({@code wait_event}, uninterruptible). */
  final WaitQueue updateWq = new WaitQueue("my_char_data.update_wq");

  /**
   * Claims the configuration for one SET_CONFIG: waits, uninterruptibly, until no other update holds it, then sets
   * {@code updating} — one test-and-set under the lock. Both variants use it; whoever claims must release with
   * {@link #endUpdate()}.
   */
  Op<Void> beginUpdate() {
    return updateWq.waitEventUninterruptible(() -> lock.lock().then(Mem.read(updating))
        .then(busy -> (busy != 0 ? Op.pure(false) : Mem.write(updating, 1).map(v -> true))
            .then(claimed -> lock.unlock().map(v -> claimed))));
  }

  /** Releases the configuration and wakes the next updater. */
  Op<Void> endUpdate() {
    return lock.lock().then(Mem.write(updating, 0)).then(lock.unlock()).then(updateWq.wakeUp());
  }

  public MyCharData() {
    super("struct my_char_data");
  }
}
