package dev.devemu.uapi;

import java.util.Map;

/** Linux errno values (include/uapi/asm-generic/errno-base.h and errno.h), positive; kernel calls return -errno. */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int ENXIO = 6;
  public static final int E2BIG = 7;
  public static final int ENOEXEC = 8;
  public static final int EBADF = 9;
  public static final int EAGAIN = 11;
  public static final int ENOMEM = 12;
  public static final int EFAULT = 14;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int ENODEV = 19;
  public static final int EXDEV = 18;
  public static final int EINVAL = 22;
  public static final int ENOTTY = 25;
  public static final int ENOSPC = 28;
  public static final int EPIPE = 32;
  public static final int ERANGE = 34;
  public static final int EIDRM = 43;
  public static final int ENODATA = 61;
  public static final int ETIME = 62;
  public static final int ECOMM = 70;
  public static final int EPROTO = 71;
  public static final int EOVERFLOW = 75;
  public static final int EMSGSIZE = 90;
  public static final int EILSEQ = 84;
  public static final int EOPNOTSUPP = 95;
  public static final int ECONNRESET = 104;
  public static final int ENOBUFS = 105;
  public static final int ESHUTDOWN = 108;
  public static final int ETIMEDOUT = 110;
  public static final int EINPROGRESS = 115;
  public static final int EREMOTEIO = 121;
  public static final int ENOMEDIUM = 123;

  private static final Map<Integer, String> NAMES = Map.ofEntries(
      Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(EINTR, "EINTR"), Map.entry(EIO, "EIO"),
      Map.entry(ENXIO, "ENXIO"), Map.entry(E2BIG, "E2BIG"), Map.entry(ENOEXEC, "ENOEXEC"), Map.entry(EBADF, "EBADF"), Map.entry(EAGAIN, "EAGAIN"), Map.entry(ENOMEM, "ENOMEM"),
      Map.entry(EFAULT, "EFAULT"), Map.entry(EBUSY, "EBUSY"), Map.entry(EEXIST, "EEXIST"), Map.entry(EXDEV, "EXDEV"), Map.entry(ENODEV, "ENODEV"),
      Map.entry(EINVAL, "EINVAL"), Map.entry(ENOTTY, "ENOTTY"), Map.entry(ENOSPC, "ENOSPC"), Map.entry(EPIPE, "EPIPE"),
      Map.entry(ERANGE, "ERANGE"), Map.entry(EIDRM, "EIDRM"), Map.entry(EMSGSIZE, "EMSGSIZE"), Map.entry(ENODATA, "ENODATA"), Map.entry(ETIME, "ETIME"), Map.entry(ECOMM, "ECOMM"),
      Map.entry(EPROTO, "EPROTO"), Map.entry(EOVERFLOW, "EOVERFLOW"), Map.entry(EILSEQ, "EILSEQ"),
      Map.entry(EOPNOTSUPP, "EOPNOTSUPP"), Map.entry(ECONNRESET, "ECONNRESET"), Map.entry(ENOBUFS, "ENOBUFS"),
      Map.entry(ESHUTDOWN, "ESHUTDOWN"), Map.entry(ETIMEDOUT, "ETIMEDOUT"), Map.entry(EINPROGRESS, "EINPROGRESS"),
      Map.entry(EREMOTEIO, "EREMOTEIO"), Map.entry(ENOMEDIUM, "ENOMEDIUM"));

  private Errno() {}

  /** {@code -ENODEV} for -19, {@code 0} for 0, the number itself for unknown values. */
  public static String describe(int rc) {
    if (rc >= 0) return Integer.toString(rc);
    String name = NAMES.get(-rc);
    return name == null ? Integer.toString(rc) : "-" + name;
  }

  /** The errno value of a name such as {@code ENODEV} or {@code -ENODEV}, as a negative return code. */
  public static int parse(String name) {
    String bare = name.startsWith("-") ? name.substring(1) : name;
    for (var e : NAMES.entrySet()) {
      if (e.getValue().equals(bare)) return -e.getKey();
    }
    throw new IllegalArgumentException("unknown errno name " + name);
  }
}
