package dev.devemu.kernel.fs;

import java.util.Map;
import java.util.TreeMap;

/**
 * A process's address space as the kernel sees it ({@code struct mm_struct}): the buffers the process mapped,
 * at user addresses. {@code copy_to_user}/{@code copy_from_user} go through here and fail, byte-exactly like
 * the kernel's, on any byte that is not mapped: a bad user pointer is -EFAULT, never a crash.
 */
public final class UserMemory {
  /** Where mappings start; the first pages stay unmapped so that NULL and small integers are bad pointers. */
  public static final long MMAP_BASE = 0x7f00_0000_0000L;
  /** x86-64 TASK_SIZE_MAX: anything at or above is a kernel address, never valid from user space. */
  public static final long TASK_SIZE = 0x0000_7fff_ffff_f000L;

  private record Mapping(long start, byte[] bytes, boolean writable) {
    long end() {
      return start + bytes.length;
    }
  }

  private final TreeMap<Long, Mapping> mappings = new TreeMap<>();
  private long next = MMAP_BASE;

  /** mmap of {@code size} zeroed bytes; returns the user address. A guard page follows each mapping. */
  public long map(int size, boolean writable) {
    if (size <= 0) throw new IllegalArgumentException("mapping size must be positive: " + size);
    long at = next;
    next += (size + 4095L) / 4096 * 4096 + 4096;
    mappings.put(at, new Mapping(at, new byte[size], writable));
    return at;
  }

  public long map(int size) {
    return map(size, true);
  }

  /** munmap; later accesses to it are bad pointers. */
  public void unmap(long address) {
    mappings.remove(address);
  }

  private Mapping find(long address) {
    if (address < 0 || address >= TASK_SIZE) return null;
    Map.Entry<Long, Mapping> e = mappings.floorEntry(address);
    if (e == null) return null;
    return address < e.getValue().end() ? e.getValue() : null;
  }

  /** True if every byte of [address, address + length) is mapped (and writable when asked). */
  public boolean accessOk(long address, long length, boolean write) {
    if (length == 0) return true;
    if (length < 0 || address + length < address) return false;
    long at = address;
    long end = address + length;
    while (at < end) {
      Mapping m = find(at);
      if (m == null || (write && !m.writable())) return false;
      at = m.end();
    }
    return true;
  }

  /**
   * copy_to_user: copies {@code length} bytes of {@code src} from {@code offset} to user address {@code dst}.
   *
   * @return the number of bytes NOT copied (0 on success), as the kernel returns
   */
  public long copyTo(long dst, byte[] src, int offset, int length) {
    int done = 0;
    while (done < length) {
      Mapping m = find(dst + done);
      if (m == null || !m.writable()) break;
      int at = (int) (dst + done - m.start());
      int n = Math.min(length - done, m.bytes().length - at);
      System.arraycopy(src, offset + done, m.bytes(), at, n);
      done += n;
    }
    return length - done;
  }

  /**
   * copy_from_user: copies {@code length} bytes at user address {@code src} into {@code dst}; bytes that could
   * not be read are zeroed, as the kernel does.
   *
   * @return the number of bytes NOT copied
   */
  public long copyFrom(long src, byte[] dst, int offset, int length) {
    int done = 0;
    while (done < length) {
      Mapping m = find(src + done);
      if (m == null) break;
      int at = (int) (src + done - m.start());
      int n = Math.min(length - done, m.bytes().length - at);
      System.arraycopy(m.bytes(), at, dst, offset + done, n);
      done += n;
    }
    java.util.Arrays.fill(dst, offset + done, offset + length, (byte) 0);
    return length - done;
  }

  /** What the process itself reads from its memory (user-space code; no kernel involved). */
  public byte[] peek(long address, int length) {
    byte[] out = new byte[length];
    if (copyFrom(address, out, 0, length) != 0) throw new IllegalArgumentException("bad user address " + address);
    return out;
  }

  /** What the process itself writes into its memory. */
  public void poke(long address, byte[] bytes) {
    if (copyTo(address, bytes, 0, bytes.length) != 0) throw new IllegalArgumentException("bad user address " + address);
  }
}
