package dev.devemu.driver.samples.bugs;

import static dev.devemu.driver.samples.chardev.MyCharAbi.CONFIG_LEN;
import static dev.devemu.driver.samples.chardev.MyCharAbi.GET_VERSION;
import static dev.devemu.driver.samples.chardev.MyCharAbi.NODE;
import static dev.devemu.driver.samples.chardev.MyCharAbi.SET_CONFIG;
import static dev.devemu.driver.samples.chardev.MyCharAbi.VERSION;

import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.platform.RawPlatformDriver;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.fs.File;
import dev.devemu.kernel.fs.FileOperations;
import dev.devemu.kernel.fs.Uaccess;
import dev.devemu.kernel.fs.Vfs;
import dev.devemu.kernel.mem.Field;
import dev.devemu.kernel.mem.FieldArray;
import dev.devemu.kernel.mem.KStruct;
import dev.devemu.kernel.platform.PlatformDevice;
import dev.devemu.kernel.sync.SpinLock;
import dev.devemu.kernel.sync.WaitQueue;
import dev.devemu.uapi.Errno;

/**
 * my_char with C habits but corrected: the raw sample ({@code samples.chardev.RawMyChar}) with the data
 * reference-counted (a kref: probe holds one reference, every open file one; the last put frees it), read clamped
 * to the config's size and copying to user space from a bounce buffer after the spinlock is dropped, SET_CONFIG
 * reading the user buffer into a bounce buffer and storing it under the lock, and its error path releasing the
 * {@code updating} flag. The lock order is {@code lock} then {@code stats_lock} (read counts reads under both;
 * SET_CONFIG resets the count). With a {@link Defect} it carries exactly one of the mistakes the zoo lists.
 */
public final class ZooChar implements RawPlatformDriver {
  /** The one mistake this instance makes, or none. */
  public enum Defect {
    /** SET_CONFIG stores the new config without taking {@code d->lock} that read holds. */
    MISSING_LOCK,
    /** read copies {@code count} bytes instead of {@code min(count, sizeof(config))}. */
    OOB_READ,
    /** read calls copy_to_user (which may fault and sleep) with {@code d->lock} held. */
    SLEEP_UNDER_SPINLOCK,
    /** remove kfree()s the data instead of dropping its reference: open files still point to it. */
    UAF_AFTER_REMOVE,
    /** open forgets kref_get: the first close drops the probe's reference and frees the data. */
    REFCOUNT_UNDERFLOW,
    /** SET_CONFIG takes {@code stats_lock} before {@code lock}, read the other way round (AB-BA). */
    LOCK_INVERSION,
    /** SET_CONFIG's -EFAULT path returns without clearing {@code updating}: the next SET_CONFIG sleeps forever. */
    BUSY_FLAG_LEFT_SET
  }

  /** {@code struct my_char_data}; config last, so a read past it leaves the object. */
  static final class Data extends KStruct {
    final Field<Integer> version = field("version", 4, 0);
    final Field<Integer> lockWord = field("lock", 4, 0);
    final Field<Integer> refs = field("refs", 4, 0);
    final Field<Integer> updating = field("updating", 4, 0);
    final Field<Integer> reads = field("reads", 4, 0);
    final FieldArray<Byte> config = array("config", CONFIG_LEN, 1);
    final SpinLock lock = new SpinLock("my_char_data.lock");
    final SpinLock statsLock = new SpinLock("my_char_data.stats_lock");
    final WaitQueue updateWq = new WaitQueue("my_char_data.update_wq");

    Data() {
      super("struct my_char_data");
    }
  }

  private final Defect defect;

  /** @param defect the mistake to make, or null for the corrected driver */
  public ZooChar(Defect defect) {
    this.defect = defect;
  }

  private boolean has(Defect d) {
    return defect == d;
  }

  @Override
  public String name() {
    return "my_char";
  }

  @Override
  public Op<Integer> probe(PlatformDevice pdev) {
    Data d = new Data();
    return Printk.info("my_char: registering " + NODE)
        .then(Mem.kzalloc(d))
        .then(s -> {
          if (s.allocation() == null) return Op.rc(-Errno.ENOMEM);
          return Mem.write(d.version, VERSION)
              .then(kref_init(d))
              .then(Op.step("platform_set_drvdata", x -> {
                pdev.drvdata(d);
                return null;
              }))
              .then(Vfs.registerChrdev(NODE, new Fops(d)))
              .then(rc -> rc < 0 ? Mem.kfree(d).then(Op.rc(rc)) : Op.rc(0));
        });
  }

  @Override
  public Op<Void> remove(PlatformDevice pdev) {
    Data d = (Data) pdev.drvdata();
    return Printk.info("my_char: removing " + NODE)
        .then(Vfs.unregisterChrdev(NODE))
        .then(has(Defect.UAF_AFTER_REMOVE) ? Mem.kfree(d) : put(d));
  }

  /**
   * kref_init: one reference, the probe's. The object now lives as long as its last reference, so an unbind that
   * leaves it to the files still open is not a leak (the leak check exempts it, as kmemleak does a referenced one).
   */
  private static Op<Void> kref_init(Data d) {
    return Mem.write(d.refs, 1).then(Op.step("kref_init", x -> {
      d.allocation().markRefcounted();
      return null;
    }));
  }

  /** kref_get. */
  private static Op<Void> get(Data d) {
    return d.lock.lock().then(Mem.read(d.refs)).then(n -> Mem.write(d.refs, n + 1)).then(d.lock.unlock());
  }

  /** kref_put: the last reference frees the data. */
  private static Op<Void> put(Data d) {
    return d.lock.lock().then(Mem.read(d.refs)).then(n -> Mem.write(d.refs, n - 1).then(d.lock.unlock())
        .then(n - 1 == 0 ? Mem.kfree(d) : Op.<Void>done()));
  }

  /** Claims the configuration for one SET_CONFIG (as {@code samples.chardev.MyCharData.beginUpdate}). */
  private static Op<Void> beginUpdate(Data d) {
    return d.updateWq.waitEventUninterruptible(() -> d.lock.lock().then(Mem.read(d.updating))
        .then(busy -> (busy != 0 ? Op.pure(false) : Mem.write(d.updating, 1).map(v -> true))
            .then(claimed -> d.lock.unlock().map(v -> claimed))));
  }

  private static Op<Void> endUpdate(Data d) {
    return d.lock.lock().then(Mem.write(d.updating, 0)).then(d.lock.unlock()).then(d.updateWq.wakeUp());
  }

  /** {@code static const struct file_operations my_char_fops}. */
  private final class Fops implements FileOperations {
    private final Data d;

    Fops(Data d) {
      this.d = d;
    }

    @Override
    public Op<Integer> open(File file) {
      // REFCOUNT_UNDERFLOW: the kref_get is missing; release still puts.
      return (has(Defect.REFCOUNT_UNDERFLOW) ? Op.<Void>done() : get(d)).then(Op.step("set private_data", x -> {
        file.privateData(d);
        return 0;
      }));
    }

    @Override
    public Op<Integer> release(File file) {
      return put((Data) file.privateData()).then(Op.rc(0));
    }

    @Override
    public Op<Long> unlockedIoctl(File file, int cmd, long arg) {
      Data data = (Data) file.privateData();
      if (cmd == GET_VERSION) {
        return Mem.read(data.version).then(v -> Uaccess.putUser32(file, arg, v)).map(rc -> (long) rc);
      }
      if (cmd == SET_CONFIG) {
        return beginUpdate(data)
            .then(Uaccess.copyFromUser(file, arg, CONFIG_LEN))
            .then(ub -> !ub.ok()
                // BUSY_FLAG_LEFT_SET: the early return skips endUpdate.
                ? (has(Defect.BUSY_FLAG_LEFT_SET) ? Op.<Void>done() : endUpdate(data)).then(Op.pure((long) -Errno.EFAULT))
                : store(data, ub.bytes()).then(endUpdate(data)).then(Op.pure(0L)));
      }
      return Printk.err("my_char: Unknown ioctl command 0x" + Integer.toHexString(cmd))
          .then(Op.pure((long) -Errno.ENOTTY));
    }

    /** Stores a new config and resets the read count, under {@code lock} then {@code stats_lock}. */
    private Op<Void> store(Data data, byte[] bytes) {
      if (has(Defect.MISSING_LOCK)) {
        return Mem.writeBytes(data.config, 0, bytes)
            .then(data.statsLock.lock()).then(Mem.write(data.reads, 0)).then(data.statsLock.unlock());
      }
      if (has(Defect.LOCK_INVERSION)) {
        return data.statsLock.lock().then(data.lock.lock()).then(Mem.write(data.reads, 0))
            .then(Mem.writeBytes(data.config, 0, bytes)).then(data.lock.unlock()).then(data.statsLock.unlock());
      }
      return data.lock.lock().then(data.statsLock.lock()).then(Mem.write(data.reads, 0)).then(data.statsLock.unlock())
          .then(Mem.writeBytes(data.config, 0, bytes)).then(data.lock.unlock());
    }

    @Override
    public Op<Long> read(File file, long userBuf, long count) {
      Data data = (Data) file.privateData();
      // OOB_READ: the clamp to sizeof(config) is missing.
      int len = (int) (has(Defect.OOB_READ) ? Math.min(count, Integer.MAX_VALUE) : Math.min(count, CONFIG_LEN));
      Op<Void> countRead = data.statsLock.lock().then(Mem.read(data.reads)).then(n -> Mem.write(data.reads, n + 1))
          .then(data.statsLock.unlock());
      if (has(Defect.SLEEP_UNDER_SPINLOCK)) {
        return data.lock.lock().then(countRead)
            .then(Uaccess.copyToUser(file, userBuf, data.config, 0, len))
            .then(left -> data.lock.unlock().map(v -> left != 0 ? (long) -Errno.EFAULT : (long) len));
      }
      return data.lock.lock().then(countRead).then(Mem.readBytes(data.config, 0, len))
          .then(bytes -> data.lock.unlock().then(Uaccess.copyToUser(file, userBuf, bytes, len)))
          .map(left -> left != 0 ? (long) -Errno.EFAULT : (long) len);
    }
  }
}
