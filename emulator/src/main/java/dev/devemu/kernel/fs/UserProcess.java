package dev.devemu.kernel.fs;

import java.util.TreeMap;

/**
 * The kernel's side of a user-space process: its pid and name, its address space and its file descriptor table.
 * The process's own code lives in a {@link dev.devemu.userspace.ProcessActor}; this is what system calls see.
 */
public final class UserProcess {
  private final int pid;
  private final String comm;
  private final UserMemory mm = new UserMemory();
  private final TreeMap<Integer, File> files = new TreeMap<>();
  private boolean exited;

  UserProcess(int pid, String comm) {
    this.pid = pid;
    this.comm = comm;
  }

  public int pid() {
    return pid;
  }

  public String comm() {
    return comm;
  }

  public UserMemory mm() {
    return mm;
  }

  public boolean exited() {
    return exited;
  }

  void markExited() {
    exited = true;
  }

  /** The lowest free descriptor, as {@code get_unused_fd_flags} picks it (0-2 are the standard streams). */
  int install(File f) {
    int fd = 3;
    while (files.containsKey(fd)) fd++;
    files.put(fd, f);
    return fd;
  }

  File file(int fd) {
    return files.get(fd);
  }

  File remove(int fd) {
    return files.remove(fd);
  }

  /** Open descriptors, lowest first. */
  public java.util.List<Integer> openFds() {
    return java.util.List.copyOf(files.keySet());
  }
}
