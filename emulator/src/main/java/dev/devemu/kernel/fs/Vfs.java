package dev.devemu.kernel.fs;

import dev.devemu.fault.Moments;
import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.Resources;
import dev.devemu.uapi.Errno;
import java.util.TreeMap;

/**
 * The slice of the VFS that char devices need: the device nodes drivers register ({@code cdev_add} /
 * {@code misc_register}), user processes and their descriptor tables, and the system calls that reach a driver's
 * {@link FileOperations}: open, read, write, ioctl, close.
 *
 * <p>As in Linux, removing a device node ({@code cdev_del}) does not touch files already open on it: their
 * operations keep being called, with whatever {@code private_data} the driver left there. That is where the
 * classic "device removed while a process holds it open" use-after-free comes from.
 *
 * <p>Registering, unregistering and opening a node are serialised by one mutex, as {@code misc_mtx} does in
 * {@code drivers/char/misc.c}: the driver's open runs with it held, so a node cannot be unregistered between the
 * lookup and the end of the driver's open — an unbind waits for the opens in flight, and later opens get -ENOENT.
 */
public final class Vfs {
  public static final Kernel.Key<Vfs> KEY = new Kernel.Key<>("VFS");

  /** The VFS of {@code kernel}. */
  public static Vfs of(Kernel kernel) {
    return kernel.subsystem(KEY);
  }

  /** -ENOIOCTLCMD: what a driver may return for an unknown ioctl; the VFS turns it into -ENOTTY. */
  public static final int ENOIOCTLCMD = 515;

  /** A registered device node. */
  private record Node(String path, FileOperations fops, Owner owner, Resources.Handle handle) {}

  private final Kernel kernel;
  private final dev.devemu.kernel.sync.Mutex nodesMutex = new dev.devemu.kernel.sync.Mutex("misc_mtx");
  private final TreeMap<String, Node> nodes = new TreeMap<>();
  private final TreeMap<Integer, UserProcess> processes = new TreeMap<>();
  private int nextPid = 1000;

  public Vfs(Kernel kernel) {
    this.kernel = kernel;
  }

  // ---- device nodes ----

  /**
   * cdev_add + device_create: makes {@code path} (e.g. {@code /dev/my_char}) reach {@code fops}; 0, or -EBUSY if the
   * node exists. The registration belongs to the calling driver: left behind at remove, it is a leak.
   */
  public static Op<Integer> registerChrdev(String path, FileOperations fops) {
    return Op.fn("misc_register", () -> Op.step("misc_mtx", x -> Vfs.of(x.kernel()))
        .then(vfs -> vfs.nodesMutex.with(() -> Op.step("cdev_add", x -> vfs.addNode(x, path, fops)))));
  }

  /**
   * cdev_del + device_destroy: the node disappears once no open of it is in flight; files already open stay open.
   */
  public static Op<Void> unregisterChrdev(String path) {
    return Op.fn("misc_deregister", () -> Op.step("misc_mtx", x -> Vfs.of(x.kernel()))
        .then(vfs -> vfs.nodesMutex.with(() -> Op.step("cdev_del", x -> {
          vfs.removeNode(x, path);
          return null;
        }))));
  }

  private int addNode(Exec x, String path, FileOperations fops) {
    if (nodes.containsKey(path)) return -Errno.EBUSY;
    Owner owner = x.task().owner() == null ? Owner.KERNEL : x.task().owner();
    Resources.Handle h = kernel.resources().acquire(x, "cdev", path, false);
    nodes.put(path, new Node(path, fops, owner, h));
    kernel.printk("cdev: " + path + " registered by " + owner);
    return 0;
  }

  private void removeNode(Exec x, String path) {
    Node n = nodes.get(path);
    if (n == null) {
      kernel.report(kernel.bugs().warning(x, "cdev_del of " + path + ", which is not registered", "cdev_del"));
      return;
    }
    nodes.remove(path);
    kernel.resources().release(n.handle());
  }

  /** Releases a node without a task (device-managed release after remove). */
  public void releaseNode(String path) {
    Node n = nodes.remove(path);
    if (n != null) kernel.resources().release(n.handle());
  }

  public boolean registered(String path) {
    return nodes.containsKey(path);
  }

  // ---- processes ----

  /** A new user process; its pid comes from a range of its own so that kernel task pids stay as they were. */
  public UserProcess newProcess(String comm) {
    UserProcess p = new UserProcess(nextPid++, comm);
    processes.put(p.pid(), p);
    return p;
  }

  public UserProcess process(int pid) {
    return processes.get(pid);
  }

  // ---- system calls, each run by a process-context task on behalf of the process ----

  /** open(2) of a device node: the descriptor, or -ENOENT (no such node) or the driver's open error. */
  public Op<Long> open(UserProcess p, String path, int flags) {
    return Op.fn("do_sys_open", () -> nodesMutex.with(() -> Op.<Object>step("chrdev_open", x -> {
      Node n = nodes.get(path);
      if (n == null) return (long) -Errno.ENOENT;
      return new File(path, flags, n.fops(), n.owner(), p);
    }).then(r -> {
      if (r instanceof Long err) return Op.pure(err);
      File f = (File) r;
      return driver(f, "open", () -> f.fops().open(f)).map(rc -> rc < 0 ? (Object) (long) rc : f);
    })).then(r -> r instanceof Long err ? Op.pure(err) : Op.step("fd_install", x -> {
      File f = (File) r;
      // a fault plan may strike "while a process holds the device open" (when = while-open)
      if (!f.owner().isKernel()) kernel.moments().slot(f.owner().device()).enter(Moments.Moment.WHILE_OPEN);
      return (long) p.install(f);
    })));
  }

  /**
   * read(2): bytes read or -errno. As {@code vfs_read} ({@code fs/read_write.c}) the VFS only checks access_ok —
   * that the buffer lies in user space; a NULL or unmapped buffer reaches the driver, whose copy_to_user fails.
   */
  public Op<Long> read(UserProcess p, int fd, long userBuf, long count) {
    return Op.fn("ksys_read", () -> Op.<Object>step("vfs_read", x -> {
      File f = p.file(fd);
      if (f == null || !f.readable()) return (long) -Errno.EBADF;
      if (count < 0) return (long) -Errno.EINVAL;
      if (!UserMemory.rangeOk(userBuf, count)) return (long) -Errno.EFAULT;
      return f;
    }).then(r -> r instanceof Long err ? Op.pure(err)
        : driver((File) r, "read", () -> ((File) r).fops().read((File) r, userBuf, count))));
  }

  /** write(2): bytes written or -errno. */
  public Op<Long> write(UserProcess p, int fd, long userBuf, long count) {
    return Op.fn("ksys_write", () -> Op.<Object>step("vfs_write", x -> {
      File f = p.file(fd);
      if (f == null || !f.writable()) return (long) -Errno.EBADF;
      if (count < 0) return (long) -Errno.EINVAL;
      if (!UserMemory.rangeOk(userBuf, count)) return (long) -Errno.EFAULT;
      return f;
    }).then(r -> r instanceof Long err ? Op.pure(err)
        : driver((File) r, "write", () -> ((File) r).fops().write((File) r, userBuf, count))));
  }

  /** ioctl(2): the driver's answer, with -ENOIOCTLCMD turned into -ENOTTY as {@code vfs_ioctl} does. */
  public Op<Long> ioctl(UserProcess p, int fd, int cmd, long arg) {
    return Op.fn("__x64_sys_ioctl", () -> Op.<Object>step("vfs_ioctl", x -> {
      File f = p.file(fd);
      return f == null ? (Object) (long) -Errno.EBADF : f;
    }).then(r -> r instanceof Long err ? Op.pure(err)
        : driver((File) r, "ioctl", () -> ((File) r).fops().unlockedIoctl((File) r, cmd, arg))
            .map(rc -> rc == -ENOIOCTLCMD ? (long) -Errno.ENOTTY : rc)));
  }

  /** close(2): 0 or -EBADF; the driver's release runs as the last reference goes. */
  public Op<Long> close(UserProcess p, int fd) {
    return Op.fn("__x64_sys_close", () -> Op.<Object>step("close_fd", x -> {
      File f = p.remove(fd);
      return f == null ? (Object) (long) -Errno.EBADF : f;
    }).then(r -> r instanceof Long err ? Op.pure(err) : release((File) r).map(ignored -> 0L)));
  }

  /** do_exit: every descriptor still open is closed, lowest first. */
  public Op<Long> exit(UserProcess p) {
    return Op.fn("do_exit", () -> Op.forEach(p.openFds(), fd -> close(p, fd)).then(ignored -> Op.step("exit_mm", x -> {
      p.markExited();
      return 0L;
    })));
  }

  private Op<Integer> release(File f) {
    return Op.defer(() -> {
      if (f.released()) return Op.rc(0);
      f.markReleased();
      if (!f.owner().isKernel()) kernel.moments().slot(f.owner().device()).leave(Moments.Moment.WHILE_OPEN);
      return driver(f, "release", () -> f.fops().release(f));
    });
  }

  /** Calls into the driver that owns the file, so that reports inside blame it and name {@code <driver>_<op>}. */
  private static <T> Op<T> driver(File f, String op, java.util.function.Supplier<Op<T>> call) {
    return Op.asDriver(f.owner(), f.owner().driver() + "_" + op, call);
  }
}
