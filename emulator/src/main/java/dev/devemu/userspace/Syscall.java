package dev.devemu.userspace;

/** A system call a user program makes next (or a pause, or its exit). */
public sealed interface Syscall {
  /** How the call appears in traces and logs, e.g. {@code ioctl(3, _IOR('E', 0xd0, 4), 0x7f0000000000)}. */
  String describe();

  record Open(String path, int flags) implements Syscall {
    @Override
    public String describe() {
      return "open(" + path + ", " + flags + ")";
    }
  }

  record Read(int fd, long buf, long count) implements Syscall {
    @Override
    public String describe() {
      return "read(" + fd + ", 0x" + Long.toHexString(buf) + ", " + count + ")";
    }
  }

  record Write(int fd, long buf, long count) implements Syscall {
    @Override
    public String describe() {
      return "write(" + fd + ", 0x" + Long.toHexString(buf) + ", " + count + ")";
    }
  }

  record Ioctl(int fd, int cmd, long arg) implements Syscall {
    @Override
    public String describe() {
      return "ioctl(" + fd + ", " + dev.devemu.uapi.Ioctl.describe(cmd) + ", 0x" + Long.toHexString(arg) + ")";
    }
  }

  record Close(int fd) implements Syscall {
    @Override
    public String describe() {
      return "close(" + fd + ")";
    }
  }

  /** User-space work or a nanosleep: virtual time passes, no kernel code runs. */
  record Sleep(long nanos) implements Syscall {
    @Override
    public String describe() {
      return "sleep(" + nanos + "ns)";
    }
  }

  /** exit(2): the kernel closes every descriptor still open. */
  record Exit() implements Syscall {
    @Override
    public String describe() {
      return "exit";
    }
  }

  static Syscall open(String path, int flags) {
    return new Open(path, flags);
  }

  static Syscall read(int fd, long buf, long count) {
    return new Read(fd, buf, count);
  }

  static Syscall write(int fd, long buf, long count) {
    return new Write(fd, buf, count);
  }

  static Syscall ioctl(int fd, int cmd, long arg) {
    return new Ioctl(fd, cmd, arg);
  }

  static Syscall close(int fd) {
    return new Close(fd);
  }

  static Syscall sleep(long nanos) {
    return new Sleep(nanos);
  }

  static Syscall exit() {
    return new Exit();
  }
}
