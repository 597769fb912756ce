package dev.devemu.driver.samples.chardev;

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
import dev.devemu.kernel.platform.PlatformDevice;
import dev.devemu.uapi.Errno;

/**
 * my_char written with C habits: {@code file->private_data} is a bare pointer to the {@code struct my_char_data}
 * that probe allocated, and user memory is copied straight in and out of it. Its bugs, each of which needs a
 * particular workload or interleaving to show:
 * <ul>
 *   <li><b>sleeping under the spinlock</b> — read copies the config out while holding {@code d->lock} (so that a
 *       SET_CONFIG cannot tear it), first with page faults disabled; when that comes up short — the user buffer
 *       is not resident yet, or the pointer is bad — it falls back to copy_to_user <i>without dropping the
 *       lock</i>: "BUG: sleeping function called from invalid context" on the first read into a fresh buffer;</li>
 *   <li><b>read does not clamp the count</b> — it copies {@code count} bytes, not {@code min(count, 16)}: a read
 *       of more than 16 bytes runs off {@code config} and off the object, a KASAN slab-out-of-bounds read that
 *       hands kernel memory to user space;</li>
 *   <li><b>SET_CONFIG without the lock</b> — copy_from_user may sleep, so it cannot run under the spinlock, so the
 *       author copies straight into {@code d->config} unlocked (the {@code updating} flag keeps other SET_CONFIGs
 *       out, not readers): a read (under the lock) on another CPU at the same time is a data race that KCSAN
 *       reports, and user space may read a torn config; and since
 *       copy_from_user zero-fills what it could not copy, a SET_CONFIG from a bad pointer returns -EFAULT
 *       <i>after</i> wiping the config;</li>
 *   <li><b>remove frees what open files still point to</b> — remove unregisters the node and kfree()s the data,
 *       but files opened earlier keep it in {@code private_data} with no reference count: the next read or ioctl
 *       on such a file (or one in flight during the unbind) is a KASAN slab-use-after-free.</li>
 * </ul>
 * GET_VERSION, unknown commands (-ENOTTY) and bad pointers (-EFAULT from the copy) are handled as the article does.
 *
 * <p>Shared with the safe variant: SET_CONFIG updates are serialised by a flag, {@code d->updating}, claimed under
 * the lock with {@code wait_event()} (uninterruptible) and released when the new config is in. The error path of
 * a failed copy (a bad user pointer: -EFAULT) returns without releasing it, so the next SET_CONFIG — from any
 * process — sleeps in D state forever: "INFO: task … blocked for more than N seconds" once the kernel's
 * {@code hung_task_timeout_secs} has passed. The classic early return that skips the unlock-equivalent of a
 * hand-made lock (the kernel bug class: an error path that leaves a busy flag or a lock taken). Rust would not have
 * prevented it: a flag is not a guard with a Drop, and {@code ?} returns early just the same ({@link SafeMyChar}
 * keeps it).
 */
public final class RawMyChar implements RawPlatformDriver {
  @Override
  public String name() {
    return "my_char";
  }

  @Override
  public Op<Integer> probe(PlatformDevice pdev) {
    MyCharData d = new MyCharData();
    return Printk.info("my_char: registering " + NODE)
        .then(Mem.kzalloc(d))
        .then(s -> {
          if (s.allocation() == null) return Op.rc(-Errno.ENOMEM);
          return Mem.write(d.version, VERSION)
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
    MyCharData d = (MyCharData) pdev.drvdata();
    // BUG: files opened before the unbind still hold d in private_data; nothing counts them.
    return Printk.info("my_char: removing " + NODE)
        .then(Vfs.unregisterChrdev(NODE))
        .then(Mem.kfree(d));
  }

  /** {@code static const struct file_operations my_char_fops}. */
  private static final class Fops implements FileOperations {
    private final MyCharData d;

    Fops(MyCharData d) {
      this.d = d;
    }

    @Override
    public Op<Integer> open(File file) {
      return Printk.info("my_char: Opening char device").then(Op.step("set private_data", x -> {
        file.privateData(d); // container_of() in C: a bare pointer, no reference taken
        return 0;
      }));
    }

    @Override
    public Op<Long> unlockedIoctl(File file, int cmd, long arg) {
      MyCharData data = (MyCharData) file.privateData();
      if (cmd == GET_VERSION) {
        return Mem.read(data.version)
            .then(v -> Uaccess.putUser32(file, arg, v))
            .map(rc -> (long) rc);
      }
      if (cmd == SET_CONFIG) {
        // One update at a time; then, BUG: straight into data->config, without data->lock ("copy_from_user may
        // sleep"). And the shared one: a failed copy returns with data->updating still set.
        return data.beginUpdate()
            .then(v -> Uaccess.copyFromUser(file, data.config, 0, arg, CONFIG_LEN))
            .then(left -> left != 0 ? Op.pure((long) -Errno.EFAULT) : data.endUpdate().map(v -> 0L));
      }
      return Printk.err("my_char: Unknown ioctl command 0x" + Integer.toHexString(cmd))
          .then(Op.pure((long) -Errno.ENOTTY));
    }

    @Override
    public Op<Long> read(File file, long userBuf, long count) {
      MyCharData data = (MyCharData) file.privateData();
      int len = (int) Math.min(count, Integer.MAX_VALUE); // BUG: should be min(count, sizeof(data->config))
      return data.lock.lock()
          // pagefault_disable(); __copy_to_user_inatomic(); pagefault_enable();
          .then(Uaccess.copyToUserInatomic(file, userBuf, data.config, 0, len))
          // BUG: the fallback may sleep, and data->lock is still held.
          .then(left -> left == 0 ? Op.pure(0L)
              : Uaccess.copyToUser(file, userBuf + (len - left), data.config, (int) (len - left), (int) (long) left))
          .then(left -> data.lock.unlock().map(ignored -> left != 0 ? (long) -Errno.EFAULT : (long) len));
    }
  }
}
