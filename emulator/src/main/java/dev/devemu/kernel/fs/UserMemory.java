package dev.devemu.kernel.fs;

import java.util.Map;
import java.util.TreeMap;

/**
 * A process's address space as the kernel sees it ({@code struct mm_struct}): the buffers the process mapped,
 * at user addresses. {@code copy_to_user}/{@code copy_from_user} go through here and fail, byte-exactly like
 * the kernel's, on any byte that is not mapped: a bad user pointer is -EFAULT, never a crash.
 *
 * <p>Pages are demand-paged: a fresh mapping is not resident until something touches it (the process itself,
 * or a copy that faults it in). The {@code _inatomic} copies, made with page faults disabled, stop at the first
 * page that is not resident — which is how a driver learns that the copy would have had to sleep.
 */
public final class UserMemory {
  /** Where mappings start; the first pages stay unmapped so that NULL and small integers are bad pointers. */
  public static final long MMAP_BASE = 0x7f00_0000_0000L;
  /** x86-64 TASK_SIZE_MAX: anything at or above is a kernel address, never valid from user space. */
  public static final long TASK_SIZE = 0x0000_7fff_ffff_f000L;

  private static final int PAGE = 4096;

  private record Mapping(long start, byte[] bytes, boolean writable, boolean[] resident) {
    long end() {
      return start + bytes.length;
    }

    boolean residentAt(long address) {
      return resident[(int) ((address - start) / PAGE)];
    }

    /** Faults in the pages of [from, from + n). */
    void touch(long from, int n) {
      if (n <= 0) return;
      for (long p = (from - start) / PAGE; p <= (from + n - 1 - start) / PAGE; p++) resident[(int) p] = true;
    }
  }

  private final TreeMap<Long, Mapping> mappings = new TreeMap<>();
  private long next = MMAP_BASE;

  /** mmap of {@code size} zeroed bytes; returns the user address. A guard page follows each mapping. */
  public long map(int size, boolean writable) {
    if (size <= 0) throw new IllegalArgumentException("mapping size must be positive: " + size);
    long at = next;
    next += (size + 4095L) / 4096 * 4096 + 4096;
    mappings.put(at, new Mapping(at, new byte[size], writable, new boolean[(size + PAGE - 1) / PAGE]));
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

  /**
   * access_ok(): the range lies below TASK_SIZE, nothing more — whether it is mapped is found out by the copy
   * itself ({@code arch/x86/include/asm/uaccess_64.h}, {@code __access_ok}). NULL passes; a kernel address does not.
   */
  public static boolean rangeOk(long address, long length) {
    if (length < 0) return false;
    long end = address + length;
    return address >= 0 && end >= address && end <= TASK_SIZE;
  }

  /** Whether the page holding {@code address} is mapped and resident (a copy to it would not fault). */
  public boolean resident(long address) {
    Mapping m = find(address);
    return m != null && m.residentAt(address);
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
      m.touch(dst + done, n);
      done += n;
    }
    return length - done;
  }

  /**
   * __copy_to_user_inatomic with page faults disabled: copies up to the first byte that is unmapped, read-only or
   * on a page that is not resident, and faults nothing in.
   *
   * @return the number of bytes NOT copied
   */
  public long copyToInatomic(long dst, byte[] src, int offset, int length) {
    int done = 0;
    while (done < length) {
      long at = dst + done;
      Mapping m = find(at);
      if (m == null || !m.writable() || !m.residentAt(at)) break;
      long pageEnd = (at - m.start()) / PAGE * PAGE + PAGE + m.start();
      int n = (int) Math.min(length - done, Math.min(m.end(), pageEnd) - at);
      System.arraycopy(src, offset + done, m.bytes(), (int) (at - m.start()), n);
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
      m.touch(src + done, n);
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
