package dev.devemu.testsupport;

import dev.devemu.userspace.Syscall;
import dev.devemu.userspace.UserContext;
import dev.devemu.userspace.UserProgram;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A user program given as a list of calls, each built when it is issued (so it can map buffers or look at what
 * the previous call left in user memory); the results are recorded in order, and the process exits at the end.
 */
public final class ScriptedProgram implements UserProgram {
  private final List<Function<UserContext, Syscall>> calls;
  private final List<Long> results = new ArrayList<>();
  private int at;

  @SafeVarargs
  public ScriptedProgram(Function<UserContext, Syscall>... calls) {
    this.calls = List.of(calls);
  }

  public ScriptedProgram(List<Function<UserContext, Syscall>> calls) {
    this.calls = List.copyOf(calls);
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

  /** What each call returned, in order. */
  public List<Long> results() {
    return results;
  }
}
