package dev.devemu.uapi;

/**
 * ioctl command numbers as {@code include/uapi/asm-generic/ioctl.h} builds them: 8 bits of number, 8 of type
 * (the "magic"), 14 of argument size and 2 of direction. {@code _IOR} means user space reads (the kernel writes to
 * user memory), {@code _IOW} means user space writes.
 */
public final class Ioctl {
  public static final int NRBITS = 8;
  public static final int TYPEBITS = 8;
  public static final int SIZEBITS = 14;
  public static final int DIRBITS = 2;
  public static final int NRSHIFT = 0;
  public static final int TYPESHIFT = NRSHIFT + NRBITS;
  public static final int SIZESHIFT = TYPESHIFT + TYPEBITS;
  public static final int DIRSHIFT = SIZESHIFT + SIZEBITS;
  public static final int NONE = 0;
  public static final int WRITE = 1;
  public static final int READ = 2;

  private Ioctl() {}

  public static int ioc(int dir, int type, int nr, int size) {
    if (size < 0 || size >= (1 << SIZEBITS)) throw new IllegalArgumentException("ioctl size out of range: " + size);
    return (dir << DIRSHIFT) | (type << TYPESHIFT) | (nr << NRSHIFT) | (size << SIZESHIFT);
  }

  /** {@code _IO(type, nr)}: no argument. */
  public static int io(int type, int nr) {
    return ioc(NONE, type, nr, 0);
  }

  /** {@code _IOR(type, nr, size)}: the kernel copies {@code size} bytes to user space. */
  public static int ior(int type, int nr, int size) {
    return ioc(READ, type, nr, size);
  }

  /** {@code _IOW(type, nr, size)}: the kernel copies {@code size} bytes from user space. */
  public static int iow(int type, int nr, int size) {
    return ioc(WRITE, type, nr, size);
  }

  /** {@code _IOWR(type, nr, size)}. */
  public static int iowr(int type, int nr, int size) {
    return ioc(READ | WRITE, type, nr, size);
  }

  public static int dir(int cmd) {
    return (cmd >>> DIRSHIFT) & ((1 << DIRBITS) - 1);
  }

  public static int type(int cmd) {
    return (cmd >>> TYPESHIFT) & ((1 << TYPEBITS) - 1);
  }

  public static int nr(int cmd) {
    return (cmd >>> NRSHIFT) & ((1 << NRBITS) - 1);
  }

  public static int size(int cmd) {
    return (cmd >>> SIZESHIFT) & ((1 << SIZEBITS) - 1);
  }

  /** {@code _IOR('E', 0xd0, 4)} style, for logs and reports. */
  public static String describe(int cmd) {
    String d = switch (dir(cmd)) {
      case NONE -> "_IO";
      case READ -> "_IOR";
      case WRITE -> "_IOW";
      default -> "_IOWR";
    };
    int t = type(cmd);
    String type = t >= 0x20 && t < 0x7f ? "'" + (char) t + "'" : "0x" + Integer.toHexString(t);
    return d + "(" + type + ", 0x" + Integer.toHexString(nr(cmd)) + (dir(cmd) == NONE ? "" : ", " + size(cmd)) + ")";
  }
}
