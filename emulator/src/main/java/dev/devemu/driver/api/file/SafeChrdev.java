package dev.devemu.driver.api.file;

import dev.devemu.driver.api.Devres;
import dev.devemu.driver.api.Fallible;
import dev.devemu.driver.api.KResult;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.fs.File;
import dev.devemu.kernel.fs.FileOperations;
import dev.devemu.kernel.fs.Vfs;

/**
 * Registers {@link SafeFileOperations} as a device node: the registration is device-managed (the node goes away
 * at unbind, before the resources registered earlier), and the adapter keeps the typed per-file data in
 * {@code private_data} so the driver never casts a raw pointer.
 */
public final class SafeChrdev {
  private SafeChrdev() {}

  /** {@code MiscDeviceRegistration::register}, undone automatically through {@code devres}. */
  public static <P> Fallible<Void> register(Devres devres, String path, SafeFileOperations<P> ops) {
    return Fallible.fromRc(Vfs.registerChrdev(path, adapt(ops))).map(rc -> {
      devres.add("cdev_del(" + path + ")", () -> Vfs.unregisterChrdev(path));
      return null;
    });
  }

  /** The C {@code file_operations} a safe implementation is called through. */
  public static <P> FileOperations adapt(SafeFileOperations<P> ops) {
    return new FileOperations() {
      @Override
      public Op<Integer> open(File file) {
        return ops.open(file).op().map(r -> {
          if (r instanceof KResult.Ok<P> ok) {
            file.privateData(ok.value());
            return 0;
          }
          return r.toRc();
        });
      }

      @Override
      @SuppressWarnings("unchecked")
      public Op<Integer> release(File file) {
        P data = (P) file.privateData();
        file.privateData(null);
        return ops.release(data, file).map(ignored -> 0);
      }

      @Override
      @SuppressWarnings("unchecked")
      public Op<Long> read(File file, long userBuf, long count) {
        return rc(ops.read((P) file.privateData(), file, new UserSliceWriter(file, userBuf, count)));
      }

      @Override
      @SuppressWarnings("unchecked")
      public Op<Long> write(File file, long userBuf, long count) {
        return rc(ops.write((P) file.privateData(), file, new UserSliceReader(file, userBuf, count)));
      }

      @Override
      @SuppressWarnings("unchecked")
      public Op<Long> unlockedIoctl(File file, int cmd, long arg) {
        return rc(ops.ioctl((P) file.privateData(), file, new IoctlCommand(file, cmd, arg)));
      }
    };
  }

  private static Op<Long> rc(Fallible<Long> f) {
    return f.op().map(r -> r instanceof KResult.Ok<Long> ok ? ok.value() : (long) r.toRc());
  }
}
