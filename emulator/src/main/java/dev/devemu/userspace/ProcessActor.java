package dev.devemu.userspace;

import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Owner;
import dev.devemu.kernel.fs.UserMemory;
import dev.devemu.kernel.fs.UserProcess;
import dev.devemu.kernel.fs.Vfs;
import dev.devemu.sim.Cause;
import dev.devemu.sim.SimRandom;
import dev.devemu.sim.Traceable;
import dev.devemu.wire.LocalOnly;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * A user-space process: it runs a {@link UserProgram} one system call at a time. Each call becomes a
 * process-context kernel task on a CPU the kernel picks (so several processes reach a driver concurrently from
 * several CPUs); its return value comes back as a message and decides the next call. A call killed by an oops
 * kills the process, whose descriptors the kernel then closes, as {@code do_exit} would.
 */
public final class ProcessActor extends AbstractBehavior<ProcessActor.Command> implements UserContext {

  /** Messages a process understands. */
  public interface Command {}

  private enum Start implements Command, LocalOnly, Traceable {
    INSTANCE;

    @Override
    public String traceText() {
      return "Start";
    }
  }

  /** A system call returned ({@code result} is null when an oops killed the calling task). */
  private record Returned(long seq, Long result) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "SyscallReturned(" + seq + ", " + result + ")";
    }
  }

  /** A sleep is over. */
  private record Woke(long seq) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "Woke(" + seq + ")";
    }
  }

  private final Kernel kernel;
  private final UserProcess process;
  private final UserProgram program;
  private final SimRandom random;
  private final int cpu;
  private Syscall pending;
  private long seq;
  private long calls;
  private boolean dead;

  /**
   * @param cpu the CPU its system calls run on, or -1 to let the kernel spread them
   * @param startDelayNanos virtual time before the first call
   */
  public static Behavior<Command> create(Kernel kernel, UserProcess process, UserProgram program, SimRandom random,
      int cpu, long startDelayNanos) {
    return Behaviors.setup(ctx -> {
      ActorRef<Command> self = ctx.getSelf();
      if (startDelayNanos > 0) {
        kernel.clock().schedule(startDelayNanos, "start " + process.comm(), () -> self.tell(Start.INSTANCE));
      } else {
        self.tell(Start.INSTANCE);
      }
      return new ProcessActor(ctx, kernel, process, program, random, cpu);
    });
  }

  private ProcessActor(ActorContext<Command> ctx, Kernel kernel, UserProcess process, UserProgram program,
      SimRandom random, int cpu) {
    super(ctx);
    this.kernel = kernel;
    this.process = process;
    this.program = program;
    this.random = random;
    this.cpu = cpu;
  }

  @Override
  public Receive<Command> createReceive() {
    return dev.devemu.sim.LeanReceive.of(this::dispatch);
  }

  private Behavior<Command> dispatch(Command m) {
    if (dead || kernel.halted()) return this;
    if (m instanceof Returned r) {
      if (r.seq() != seq) return this;
      if (r.result() == null) return killed();
      return issue(program.next(this, pending, r.result()));
    }
    if (m instanceof Woke w) {
      if (w.seq() != seq) return this;
      return issue(program.next(this, pending, 0));
    }
    if (m == Start.INSTANCE) return issue(program.start(this));
    return Behaviors.unhandled();
  }

  private Behavior<Command> issue(Syscall call) {
    pending = call;
    long mine = ++seq;
    ActorRef<Command> self = getContext().getSelf();
    if (call instanceof Syscall.Sleep s) {
      kernel.clock().schedule(Math.max(0, s.nanos()), process.comm() + " sleeps", () -> self.tell(new Woke(mine)));
      return this;
    }
    calls++;
    Vfs vfs = Vfs.of(kernel);
    Op<Long> op;
    if (call instanceof Syscall.Open o) op = vfs.open(process, o.path(), o.flags());
    else if (call instanceof Syscall.Read r) op = vfs.read(process, r.fd(), r.buf(), r.count());
    else if (call instanceof Syscall.Write w) op = vfs.write(process, w.fd(), w.buf(), w.count());
    else if (call instanceof Syscall.Ioctl i) op = vfs.ioctl(process, i.fd(), i.cmd(), i.arg());
    else if (call instanceof Syscall.Close c) op = vfs.close(process, c.fd());
    else op = vfs.exit(process);
    boolean exiting = call instanceof Syscall.Exit;
    Cause cause = Cause.rootLazy(process.comm() + "/" + process.pid(), Cause.NO_CPU, kernel.now(), call::describe);
    kernel.spawn(cpu, process.comm(), Owner.KERNEL, cause, op, (task, result) -> {
      if (!exiting) self.tell(new Returned(mine, (Long) result));
    });
    if (exiting) dead = true;
    return this;
  }

  /** The calling task died in an oops: the process is killed and the kernel closes what it held. */
  private Behavior<Command> killed() {
    dead = true;
    kernel.printk(process.comm() + "[" + process.pid() + "]: killed by an oops in a system call");
    kernel.spawn(cpu, process.comm(), Owner.KERNEL, Cause.root(process.comm() + "/" + process.pid(), kernel.now(),
        "do_exit after oops"), Vfs.of(kernel).exit(process), null);
    return this;
  }

  // ---- UserContext ----

  @Override
  public int pid() {
    return process.pid();
  }

  @Override
  public String comm() {
    return process.comm();
  }

  @Override
  public UserMemory mm() {
    return process.mm();
  }

  @Override
  public SimRandom random() {
    return random;
  }

  @Override
  public long now() {
    return kernel.now();
  }

  /** System calls made so far. */
  public long calls() {
    return calls;
  }
}
