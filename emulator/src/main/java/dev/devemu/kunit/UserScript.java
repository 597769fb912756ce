package dev.devemu.kunit;

import dev.devemu.userspace.Syscall;
import dev.devemu.userspace.UserContext;
import dev.devemu.userspace.UserProgram;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A user process given as its system calls, each built when it is issued (so it can map buffers, or pass a bad
 * pointer on purpose); {@link #results()} are the return values in order. The process exits after the last.
 *
 * <pre>{@code
 * UserScript user = UserScript.of(
 *     c -> Syscall.open("/dev/my_char", File.O_RDWR),
 *     c -> Syscall.ioctl(3, GET_VERSION, UserScript.NULL));   // a bad pointer: -EFAULT expected
 * }</pre>
 */
public final class UserScript implements UserProgram {
  /** A NULL user pointer. */
  public static final long NULL = 0;
  /** A kernel address passed as a user pointer (access_ok refuses it). */
  public static final long KERNEL_ADDRESS = 0xffff888100000000L;

  private final List<Function<UserContext, Syscall>> calls;
  private final List<Long> results = new ArrayList<>();
  private int at;

  private UserScript(List<Function<UserContext, Syscall>> calls) {
    this.calls = List.copyOf(calls);
  }

  @SafeVarargs
  public static UserScript of(Function<UserContext, Syscall>... calls) {
    return new UserScript(List.of(calls));
  }

  /** Maps a buffer of {@code size} bytes filled with {@code bytes} (resident), returning its user address. */
  public static long buffer(UserContext c, byte[] bytes) {
    long at = c.mm().map(bytes.length);
    c.mm().poke(at, bytes);
    return at;
  }

  /** The address just past a fresh buffer of {@code size} bytes: the unmapped guard page after it. */
  public static long guardPage(UserContext c, int size) {
    return c.mm().map(size) + 4096;
  }

  @Override
  public Syscall start(UserContext ctx) {
    return calls.get(at++).apply(ctx);
  }

  @Override
  public Syscall next(UserContext ctx, Syscall previous, long result) {
    results.add(result);
    return at < calls.size() ? calls.get(at++).apply(ctx) : Syscall.exit();
  }

  /** What each call returned, in order (fewer than the calls if the process never finished). */
  public List<Long> results() {
    return results;
  }

  /** The result of call {@code i} (from 0), or {@code Long.MIN_VALUE} if it never returned. */
  public long result(int i) {
    return i < results.size() ? results.get(i) : Long.MIN_VALUE;
  }
}
