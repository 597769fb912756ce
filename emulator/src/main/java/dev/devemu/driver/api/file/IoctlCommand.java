package dev.devemu.driver.api.file;

import dev.devemu.kernel.fs.File;
import dev.devemu.uapi.Ioctl;

/**
 * An ioctl as the safe flavour receives it: the command and its argument, with the user buffer sized by the
 * command's own encoding ({@code _IOC_SIZE}) so that a handler cannot copy more than the command declares.
 */
public final class IoctlCommand {
  private final File file;
  private final int cmd;
  private final long arg;

  public IoctlCommand(File file, int cmd, long arg) {
    this.file = file;
    this.cmd = cmd;
    this.arg = arg;
  }

  public int cmd() {
    return cmd;
  }

  /** The raw argument (a user pointer for _IOR/_IOW commands, a value for _IO ones). */
  public long arg() {
    return arg;
  }

  public int size() {
    return Ioctl.size(cmd);
  }

  /** For an {@code _IOW}/{@code _IOWR} command: the user buffer to read the argument from. */
  public UserSliceReader reader() {
    return new UserSliceReader(file, arg, (Ioctl.dir(cmd) & Ioctl.WRITE) != 0 ? Ioctl.size(cmd) : 0);
  }

  /** For an {@code _IOR}/{@code _IOWR} command: the user buffer to write the result to. */
  public UserSliceWriter writer() {
    return new UserSliceWriter(file, arg, (Ioctl.dir(cmd) & Ioctl.READ) != 0 ? Ioctl.size(cmd) : 0);
  }

  @Override
  public String toString() {
    return Ioctl.describe(cmd);
  }
}
