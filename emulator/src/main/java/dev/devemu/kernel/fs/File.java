package dev.devemu.kernel.fs;

import dev.devemu.kernel.Owner;

/**
 * An open file ({@code struct file}): which device node, whose file operations, the position, and the driver's
 * {@code private_data}. The memory of the process that opened it is where {@code copy_to_user} writes — in this
 * model every process opens its own files, so that is {@code current->mm} whenever a file operation runs.
 */
public final class File {
  /** O_ACCMODE values, as in {@code include/uapi/asm-generic/fcntl.h}. */
  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_RDWR = 2;
  public static final int O_NONBLOCK = 04000;

  private final String path;
  private final int flags;
  private final FileOperations fops;
  private final Owner owner;
  private final UserProcess process;
  private long pos;
  private Object privateData;
  private boolean released;

  File(String path, int flags, FileOperations fops, Owner owner, UserProcess process) {
    this.path = path;
    this.flags = flags;
    this.fops = fops;
    this.owner = owner;
    this.process = process;
  }

  public String path() {
    return path;
  }

  public int flags() {
    return flags;
  }

  public boolean readable() {
    return (flags & 3) != O_WRONLY;
  }

  public boolean writable() {
    return (flags & 3) != O_RDONLY;
  }

  public boolean nonBlocking() {
    return (flags & O_NONBLOCK) != 0;
  }

  public FileOperations fops() {
    return fops;
  }

  /** The driver instance whose file operations these are. */
  public Owner owner() {
    return owner;
  }

  /** The process that opened the file. */
  public UserProcess process() {
    return process;
  }

  /** Its address space: where user pointers passed with this file point. */
  public UserMemory mm() {
    return process.mm();
  }

  /** {@code f_pos}. */
  public long pos() {
    return pos;
  }

  public void pos(long pos) {
    this.pos = pos;
  }

  /** {@code file->private_data}: a raw pointer the driver sets in open and uses in every later call. */
  public Object privateData() {
    return privateData;
  }

  public void privateData(Object data) {
    this.privateData = data;
  }

  boolean released() {
    return released;
  }

  void markReleased() {
    released = true;
  }

  @Override
  public String toString() {
    return path + " (pid " + process.pid() + ")";
  }
}
