package dev.devemu.kernel.driver;

import dev.devemu.fault.Moments;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.detect.Detectors;
import dev.devemu.sim.Cause;
import dev.devemu.sim.Traceable;
import dev.devemu.uapi.Errno;
import dev.devemu.wire.CrossNode;
import dev.devemu.wire.LocalOnly;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One driver bound to one device. It exists from the match to the end of remove: it runs probe and remove as
 * kernel tasks on a CPU the kernel picks, checks for leaks when remove returns, and reports to its bus.
 */
public final class DriverInstanceActor extends dev.devemu.sim.LeanBehavior<DriverInstanceActor.Command> {

  /** Messages a driver instance understands. */
  public interface Command {}

  /** Run the driver's probe. */
  public record ProbeRequest(String device, String driver, Cause cause) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "ProbeRequest(" + driver + " on " + device + ")";
    }
  }

  /** Run the driver's remove (or disconnect). */
  public record RemoveRequest(String device, Cause cause) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "RemoveRequest(" + device + ")";
    }
  }

  /** What the bus hears back. */
  public interface Reply {}

  /** Probe finished with {@code result} (0 or -errno). */
  public record ProbeCompleted(String device, String driver, int result) implements Reply, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "ProbeCompleted(" + driver + " on " + device + ": " + Errno.describe(result) + ")";
    }
  }

  /** Remove finished; the instance is gone. */
  public record RemoveCompleted(String device, String driver) implements Reply, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "RemoveCompleted(" + driver + " on " + device + ")";
    }
  }

  private record TaskExited(boolean probe, Object result) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "TaskExited(" + (probe ? "probe" : "remove") + ")";
    }
  }

  private final Kernel kernel;
  private final Binding binding;
  private final ActorRef<Reply> bus;
  private final String device;
  private final Moments.Slot moments;
  private boolean probed;

  public static Behavior<Command> create(Kernel kernel, Binding binding, String device, ActorRef<Reply> bus) {
    return create(kernel, binding, device, device, bus);
  }

  /**
   * @param slot where the fault plan knows the device, if not by its name (a USB interface {@code 1-1:1.0} sits on
   *     port {@code 1-1}): probe, bind and remove are signalled there
   */
  public static Behavior<Command> create(Kernel kernel, Binding binding, String device, String slot,
      ActorRef<Reply> bus) {
    return new DriverInstanceActor(kernel, binding, device, slot, bus);
  }

  private DriverInstanceActor(Kernel kernel, Binding binding, String device, String slot, ActorRef<Reply> bus) {
    this.kernel = kernel;
    this.binding = binding;
    this.device = device;
    this.bus = bus;
    this.moments = kernel.moments().slot(slot);
  }

  @Override
  protected Behavior<Command> onMessage(Command m) {
    if (m instanceof TaskExited t) return onTaskExited(t);
    if (m instanceof ProbeRequest p) return onProbe(p);
    if (m instanceof RemoveRequest r) return onRemove(r);
    return Behaviors.unhandled();
  }

  private Behavior<Command> onProbe(ProbeRequest m) {
    ActorRef<Command> self = self();
    Cause c = (m.cause() == null ? Cause.root("bus", kernel.now(), "match") : m.cause())
        .thenLazy(binding.owner().driver(), Cause.NO_CPU, kernel.now(), () -> "probe " + device);
    moments.enter(Moments.Moment.DURING_PROBE);
    kernel.spawn(-1, binding.probeFunction(), binding.owner(), c, binding.probe(),
        (task, result) -> self.tell(new TaskExited(true, result)));
    return this;
  }

  private Behavior<Command> onRemove(RemoveRequest m) {
    ActorRef<Command> self = self();
    Cause c = (m.cause() == null ? Cause.root("bus", kernel.now(), "unbind") : m.cause())
        .thenLazy(binding.owner().driver(), Cause.NO_CPU, kernel.now(), () -> binding.removeFunction() + " " + device);
    moments.enter(Moments.Moment.DURING_REMOVE);
    kernel.spawn(-1, binding.removeFunction(), binding.owner(), c, binding.remove(),
        (task, result) -> self.tell(new TaskExited(false, task.state())));
    return this;
  }

  private Behavior<Command> onTaskExited(TaskExited m) {
    if (m.probe()) {
      // A probe killed by an oops has no return code; the device is left unusable, as after a real oops.
      int rc = m.result() instanceof Integer i ? i : -Errno.EIO;
      probed = rc == 0;
      moments.leave(Moments.Moment.DURING_PROBE);
      if (!probed && !kernel.halted()) {
        new LeakCheck(kernel).afterUnbind(binding.owner(), binding.probeFunction() + " (failed with "
            + Errno.describe(rc) + ")");
      }
      bus.tell(new ProbeCompleted(device, binding.owner().driver(), rc));
      if (probed) moments.pulse(Moments.Moment.AFTER_BIND);
      return probed ? this : Behaviors.stopped();
    }
    moments.leave(Moments.Moment.DURING_REMOVE);
    if (!kernel.halted()) new LeakCheck(kernel).afterUnbind(binding.owner(), binding.removeFunction());
    bus.tell(new RemoveCompleted(device, binding.owner().driver()));
    return Behaviors.stopped();
  }
}
