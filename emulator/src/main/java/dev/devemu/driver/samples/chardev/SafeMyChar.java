package dev.devemu.driver.samples.chardev;

import static dev.devemu.driver.samples.chardev.MyCharAbi.CONFIG_LEN;
import static dev.devemu.driver.samples.chardev.MyCharAbi.GET_VERSION;
import static dev.devemu.driver.samples.chardev.MyCharAbi.NODE;
import static dev.devemu.driver.samples.chardev.MyCharAbi.SET_CONFIG;
import static dev.devemu.driver.samples.chardev.MyCharAbi.VERSION;

import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KArc;
import dev.devemu.driver.api.Mem;
import dev.devemu.driver.api.Printk;
import dev.devemu.driver.api.file.IoctlCommand;
import dev.devemu.driver.api.file.SafeChrdev;
import dev.devemu.driver.api.file.SafeFileOperations;
import dev.devemu.driver.api.file.UserSliceWriter;
import dev.devemu.driver.api.platform.SafePlatformDevice;
import dev.devemu.driver.api.platform.SafePlatformDriver;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.fs.File;
import dev.devemu.uapi.Errno;

/**
 * my_char written with Rust's discipline, as the article's {@code impl FileOperations for MyCharFile}, with one
 * correction. The data is an {@code Arc<MyCharDriverData>}: the binding holds one handle and every open file
 * clones its own, so an unbind while a process holds the node open cannot free it under the process. User memory
 * is reached only through slices bounded by the caller's count or the command's {@code _IOC_SIZE}; the config is
 * touched only under its lock guard; every error propagates.
 *
 * <p>The correction: the article's {@code read} calls {@code buf.write(&config[..len])} while the
 * {@code config.lock()} guard is alive — copy_to_user under a spinlock, which may fault in a page and sleep in
 * atomic context. Here read copies the config into a local buffer under the lock and writes it to user space
 * after the guard is dropped; SET_CONFIG likewise reads the user buffer before it takes the lock.
 *
 * <p>Shared with the raw variant: SET_CONFIG updates are serialised by an {@code updating} flag in the locked data,
 * claimed with an uninterruptible wait ({@code CondVar::wait}) and cleared once the new config is in. Reading the
 * user buffer is a {@code ?}: on a bad pointer (-EFAULT) it returns early, past the code that clears the flag, and
 * the next SET_CONFIG sleeps in D state forever — a hung task once {@code hung_task_timeout_secs} has passed (the
 * kernel bug class: an error path that leaves a busy flag or a lock taken). Only a SET_CONFIG from a bad pointer gets
 * there. Not
 * prevented by Rust: the flag is a hand-made lock, not a guard whose Drop would release it, and {@code ?} makes
 * such early returns easy to write; the types see nothing wrong with a flag left set.
 */
public final class SafeMyChar implements SafePlatformDriver<KArc<MyCharData>> {
  @Override
  public String name() {
    return "my_char";
  }

  @Override
  public Fallible<KArc<MyCharData>> probe(SafePlatformDevice pdev) {
    return KArc.create(new MyCharData())
        .andThen(data -> Fallible.lift(Mem.write(data.get().version, VERSION)).map(v -> data))
        .andThen(data -> {
          // Devres runs last-registered first: the node goes away before the binding's handle is dropped.
          pdev.devres().add("Arc<my_char_data>", data::drop);
          return SafeChrdev.register(pdev.devres(), NODE, new Fops(data)).map(v -> data);
        })
        .andThen(data -> Fallible.lift(Printk.info("my_char: registered " + NODE)).map(v -> data));
  }

  /** The file operations; each open file gets its own handle on the data. */
  private static final class Fops implements SafeFileOperations<KArc<MyCharData>> {
    private final KArc<MyCharData> device;

    Fops(KArc<MyCharData> device) {
      this.device = device;
    }

    @Override
    public Fallible<KArc<MyCharData>> open(File file) {
      // The open runs under misc_mtx, so the registration — and the handle it holds — is alive here.
      return Fallible.lift(Printk.info("my_char: Opening char device").then(device.cloneRef()));
    }

    @Override
    public Op<Void> release(KArc<MyCharData> data, File file) {
      return data.drop();
    }

    @Override
    public Fallible<Long> ioctl(KArc<MyCharData> handle, File file, IoctlCommand cmd) {
      MyCharData data = handle.get();
      if (cmd.cmd() == GET_VERSION) {
        return Fallible.lift(Mem.read(data.version))
            .andThen(v -> cmd.writer().writeInt(v))
            .onErr(e -> Printk.err("my_char: Failed to copy version to user: " + Errno.describe(-e)))
            .map(v -> 0L);
      }
      if (cmd.cmd() == SET_CONFIG) {
        return Fallible.lift(data.beginUpdate())
            .andThen(v -> cmd.reader().read(CONFIG_LEN)) // `?`: an Err returns here, with `updating` still set
            .onErr(e -> Printk.err("my_char: Failed to copy config from user: " + Errno.describe(-e)))
            .andThen(config -> Fallible.lift(data.lock.with(() -> Mem.writeBytes(data.config, 0, config)
                .then(Mem.write(data.updating, 0)))))
            .andThen(v -> Fallible.lift(data.updateWq.wakeUp()))
            .map(v -> 0L);
      }
      return Fallible.lift(Printk.err("my_char: Unknown ioctl command 0x" + Integer.toHexString(cmd.cmd())))
          .andThen(v -> Fallible.err(Errno.ENOTTY));
    }

    @Override
    public Fallible<Long> read(KArc<MyCharData> handle, File file, UserSliceWriter out) {
      MyCharData data = handle.get();
      int len = (int) Math.min(out.len(), CONFIG_LEN);
      return Fallible.lift(data.lock.with(() -> Mem.readBytes(data.config, 0, len)))
          .andThen(snapshot -> out.write(snapshot))
          .onErr(e -> Printk.err("my_char: Failed to read config to user: " + Errno.describe(-e)))
          .map(v -> (long) len);
    }
  }
}
